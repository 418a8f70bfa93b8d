package dev.sealwright.disk.gpt;

import java.util.UUID;

/** One GPT partition entry; {@code number} is the 1-based entry index, as sgdisk and Linux number it. */
public record GptPartition(int number, UUID type, UUID uuid, long firstLba, long lastLba, long attributes, String name) {
    public static final UUID LINUX_FILESYSTEM = UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4");
    public static final UUID EFI_SYSTEM = UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
    public static final UUID BIOS_BOOT = UUID.fromString("21686148-6449-6e6f-744e-656564454649");
    public static final UUID ROOT_X86_64 = UUID.fromString("4f68bce3-e8cd-4db1-96e7-fbcaf984b709");

    public GptPartition {
        if (number < 1) throw new IllegalArgumentException("partition numbers start at 1");
        if (firstLba > lastLba) throw new IllegalArgumentException("partition " + number + " ends before it starts");
        if (name.length() > 36) throw new IllegalArgumentException("partition name \"" + name + "\" is longer than 36 UTF-16 units");
    }

    public long sizeLbas() { return lastLba - firstLba + 1; }

    public GptPartition withRange(long first, long last) {
        return new GptPartition(number, type, uuid, first, last, attributes, name);
    }
}
