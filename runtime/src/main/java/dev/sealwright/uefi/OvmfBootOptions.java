package dev.sealwright.uefi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * BootOrder and the Boot#### variables OVMF's boot manager holds at ReadyToBoot (when Tcg2Dxe measures
 * them, BootOrder first, then each Boot#### in BootOrder's order), for a VM that starts from a fresh
 * vars file (edk2-stable202211 OvmfPkg PlatformBootManagerLib, QemuBootOrderLib, UefiBootManagerLib):
 * <ul>
 * <li>PlatformBootManagerBeforeConsole registers UiApp (the boot manager menu) as Boot0000:
 *     CATEGORY_APP|ACTIVE|HIDDEN, "UiApp", Fv(DXEFV)/FvFile(UiApp).</li>
 * <li>Direct kernel boot ({@code -kernel}): PlatformBootManagerAfterConsole starts the kernel
 *     (TryRunningQemuKernel) before it enumerates devices, so BootOrder is {0000}.</li>
 * <li>ESP boot: only the devices named in fw_cfg {@code bootorder} are connected
 *     (ConnectDevicesFromQemu); EfiBootManagerRefreshAllBootOption adds one auto-created option per
 *     block device (ACTIVE, the description "UEFI Misc Device" of a virtio-blk disk, its full device path
 *     PciRoot(0)/Pci(dev,fn)[/Pci(dev,fn) behind a root port], optional data = the auto-create GUID) at the
 *     first free number; NICs and disks without a boot index stay unconnected and get no option; then the UEFI Shell (ACTIVE,
 *     "EFI Internal Shell", Fv/FvFile) when the image has it; SetBootOrderFromQemu puts the bootorder
 *     matches first and keeps the rest that do not start with PciRoot() (UiApp, Shell) in order.</li>
 * </ul>
 */
public final class OvmfBootOptions {
    /** One variable of EFI_GLOBAL_VARIABLE and its data. */
    public record BootVariable(String name, byte[] value) {}

    /** One PCI node of a device path: device and function on its bus (the root bus first). */
    public record Pci(int device, int function) {}

    /**
     * What one OVMF build's platform boot manager does that the variables depend on (edk2-stable202211's
     * PlatformBootManagerLib; a build is only given one after a real boot's PCR 1 showed its variables).
     *
     * @param internalShell the image carries the UEFI Shell, which the boot manager registers as a boot option
     */
    public record Layout(boolean internalShell) {}

    static final String DXEFV_NAME = "7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1";
    static final String UIAPP_FILE = "462caa21-7614-4503-836e-8ab6f4662331";
    static final String SHELL_FILE = "7c04a583-9e3e-4f1c-ad65-e05268d0b4d1";
    /** mBmAutoCreateBootOptionGuid (UefiBootManagerLib BmBoot.c), the optional data of enumerated options. */
    static final String AUTO_CREATED = "8108ac4e-9f11-4d59-850e-e21a522c59b2";
    private static final int ACTIVE = 0x1, HIDDEN = 0x8, CATEGORY_APP = 0x100;

    private OvmfBootOptions() {}

    /** QEMU -kernel: BootOrder {0000}, Boot0000 UiApp. */
    public static List<BootVariable> directKernel() {
        return List.of(new BootVariable("BootOrder", order(0)), new BootVariable("Boot0000", uiApp()));
    }

    /**
     * One virtio-blk disk with bootindex at PCI 00:{@code pciDevice}.0 on the root bus, the only device
     * in fw_cfg bootorder: BootOrder {0001, 0000[, 0002]}, Boot0001 the disk, Boot0000 UiApp, Boot0002 the
     * Shell when the image has one.
     */
    public static List<BootVariable> virtioDisk(int pciDevice, boolean shell) {
        return virtioDisk(List.of(new Pci(pciDevice, 0)), 0, shell);
    }

    /**
     * One virtio-blk disk at the PCI path {@code path} (root-bus node first, e.g. a root port at 00:02.0
     * then the disk at 00.0 behind it), the only device in fw_cfg bootorder, enumerated first, and
     * {@code otherDisks} virtio disks behind root ports after it: as {@link #virtioDisk(int, boolean)} with
     * that device path, except that the other disks are enumerated too and take Boot0002.. before the
     * Shell; SetBootOrderFromQemu leaves them out of BootOrder (and prunes their variables), so only
     * the Shell's number moves (seen in a real boot of the TD shape with two data disks: Boot0004).
     */
    public static List<BootVariable> virtioDisk(List<Pci> path, int otherDisks, boolean shell) {
        if (path.isEmpty()) throw new IllegalArgumentException("empty PCI path");
        ByteArrayOutputStream dp = new ByteArrayOutputStream();
        dp.writeBytes(pciRoot());
        for (Pci n : path) dp.writeBytes(pci(n.device(), n.function()));
        dp.writeBytes(end());
        byte[] disk = loadOption(ACTIVE, "UEFI Misc Device", dp.toByteArray(), EfiGuid.bytes(AUTO_CREATED));
        if (!shell)
            return List.of(new BootVariable("BootOrder", order(1, 0)), new BootVariable("Boot0001", disk), new BootVariable("Boot0000", uiApp()));
        int shellNumber = 2 + otherDisks;
        return List.of(new BootVariable("BootOrder", order(1, 0, shellNumber)), new BootVariable("Boot0001", disk), new BootVariable("Boot0000", uiApp()),
                new BootVariable(String.format("Boot%04X", shellNumber), loadOption(ACTIVE, "EFI Internal Shell", fvFile(SHELL_FILE), new byte[0])));
    }

    static byte[] uiApp() {
        return loadOption(CATEGORY_APP | ACTIVE | HIDDEN, "UiApp", fvFile(UIAPP_FILE), new byte[0]);
    }

    /** EFI_LOAD_OPTION: Attributes, FilePathListLength, Description (UTF-16LE + NUL), FilePathList, OptionalData. */
    static byte[] loadOption(int attributes, String description, byte[] path, byte[] optional) {
        byte[] desc = (description + "\0").getBytes(StandardCharsets.UTF_16LE);
        return ByteBuffer.allocate(6 + desc.length + path.length + optional.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(attributes).putShort((short) path.length).put(desc).put(path).put(optional).array();
    }

    private static byte[] fvFile(String file) {
        return concat(node(4, 7, EfiGuid.bytes(DXEFV_NAME)), node(4, 6, EfiGuid.bytes(file)), end());
    }

    /** ACPI_DP PNP0A03 UID 0. */
    private static byte[] pciRoot() {
        return node(2, 1, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0A0341D0).putInt(0).array());
    }

    private static byte[] pci(int device, int function) {
        return node(1, 1, new byte[] {(byte) function, (byte) device});
    }

    private static byte[] end() {
        return node(0x7F, 0xFF, new byte[0]);
    }

    private static byte[] node(int type, int subType, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) type).put((byte) subType).putShort((short) (4 + body.length)).put(body).array();
    }

    private static byte[] order(int... numbers) {
        ByteBuffer b = ByteBuffer.allocate(2 * numbers.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int n : numbers) b.putShort((short) n);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
