package dev.sealwright.measure.tdx;

import dev.sealwright.measure.event.UefiGptData;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.UefiVariableData;
import dev.sealwright.uefi.EfiGuid;
import dev.sealwright.uefi.OvmfBootOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The events TDVF (edk2 OvmfPkg TdTcg2Dxe) logs into the CCEL, built from their inputs: digest
 * and event data exactly as firmware writes them. CC MR index 1 = RTMR0, 2 = RTMR1, 3 = RTMR2.
 */
public final class TdvfEvents {
    public static final int RTMR0 = 1, RTMR1 = 2, RTMR2 = 3;
    static final String TD_HOB_LIST_GUID = "93bb96af-b9f2-4eb8-9462-e0ba74564236";
    public static final String CALLING_EFI_APPLICATION = "Calling EFI Application from Boot Option";
    public static final String EXIT_BOOT_SERVICES = "Exit Boot Services Invocation";
    public static final String EXIT_BOOT_SERVICES_OK = "Exit Boot Services Returned with Success";

    private TdvfEvents() {}

    /** CC MR index of a TPM PCR (UEFI 2.10 §38.4.1, edk2 MapPcrToMrIndex): 0 → MRTD, 1 and 7 → RTMR0, 2..6 → RTMR1, 8..15 → RTMR2. */
    public static int mrIndexOfPcr(int pcr) {
        if (pcr == 0) return 0;
        if (pcr == 1 || pcr == 7) return RTMR0;
        if (pcr >= 2 && pcr <= 6) return RTMR1;
        if (pcr >= 8 && pcr <= 15) return RTMR2;
        throw new IllegalArgumentException("PCR " + pcr + " has no CC MR index");
    }

    private static BootEvent event(int index, long type, byte[] measured, byte[] data, String description) {
        return BootEvent.measuring(index, type, measured, data, description, HashAlg.SHA384);
    }

    /** EV_EFI_HANDOFF_TABLES2 over the TD HOB; data = EFI_HANDOFF_TABLE_POINTERS2 ("TdxTable", HOB GPA). */
    public static BootEvent tdHob(TdvfMetadata metadata, long ramBytes) {
        byte[] desc = "TdxTable\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer d = ByteBuffer.allocate(1 + desc.length + 8 + 16 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.put((byte) desc.length).put(desc).putLong(1).put(EfiGuid.bytes(TD_HOB_LIST_GUID))
                .putLong(metadata.only(TdvfSection.Type.TD_HOB).memoryAddress());
        return event(RTMR0, EventType.EV_EFI_HANDOFF_TABLES2, TdHob.build(metadata, ramBytes), d.array(),
                "TD HOB for " + (ramBytes >> 20) + " MiB");
    }

    /** EV_EFI_PLATFORM_FIRMWARE_BLOB2 over the raw CFV (the variable store as shipped in the image). */
    public static BootEvent cfv(byte[] fw, TdvfMetadata metadata) {
        TdvfSection cfv = metadata.only(TdvfSection.Type.CFV);
        byte[] desc = "Fv(XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer d = ByteBuffer.allocate(1 + desc.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        d.put((byte) desc.length).put(desc).putLong(cfv.memoryAddress()).putLong(cfv.rawDataSize());
        byte[] raw = Arrays.copyOfRange(fw, (int) cfv.dataOffset(), (int) (cfv.dataOffset() + cfv.rawDataSize()));
        return event(RTMR0, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2, raw, d.array(), "CFV (variable store), " + raw.length + " bytes");
    }

    /** SecureBoot, PK, KEK, db, dbx as EV_EFI_VARIABLE_DRIVER_CONFIG (digest = whole UEFI_VARIABLE_DATA); keys not enrolled. */
    public static List<BootEvent> secureBootPolicy(TdxProfile.SecureBootMeasurement secureBoot) {
        List<BootEvent> out = new ArrayList<>();
        out.add(driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, "SecureBoot", secureBoot.value()));
        out.add(driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, "PK", new byte[0]));
        out.add(driverConfig(UefiVariableData.EFI_GLOBAL_VARIABLE, "KEK", new byte[0]));
        out.add(driverConfig(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "db", new byte[0]));
        out.add(driverConfig(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "dbx", new byte[0]));
        return out;
    }

    private static BootEvent driverConfig(String guid, String name, byte[] value) {
        byte[] v = UefiVariableData.encode(guid, name, value);
        return event(RTMR0, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, v, v, "variable " + name + " (" + value.length + " bytes)");
    }

    public static BootEvent separator(int index) {
        return event(index, EventType.EV_SEPARATOR, new byte[4], new byte[4], "separator 00000000");
    }

    /** The three fw_cfg ACPI blobs, hashed raw (before the loader patches them), in loader, rsdp, tables order. */
    public static List<BootEvent> acpi(byte[] tableLoader, byte[] rsdp, byte[] tables) {
        byte[] data = "ACPI DATA".getBytes(StandardCharsets.US_ASCII);
        return List.of(event(RTMR0, EventType.EV_PLATFORM_CONFIG_FLAGS, tableLoader, data, "ACPI DATA"),
                event(RTMR0, EventType.EV_PLATFORM_CONFIG_FLAGS, rsdp, data, "ACPI DATA"),
                event(RTMR0, EventType.EV_PLATFORM_CONFIG_FLAGS, tables, data, "ACPI DATA"));
    }

    /** Direct boot: BootOrder = {0000} and Boot0000 = UiApp. */
    public static List<BootEvent> directBootVariables() {
        return bootVariables(OvmfBootOptions.directKernel());
    }

    /** BootOrder and Boot#### in BootOrder's order (OvmfBootOptions); EV_EFI_VARIABLE_BOOT measures the variable data only. */
    public static List<BootEvent> bootVariables(List<OvmfBootOptions.BootVariable> variables) {
        return variables.stream()
                .map(v -> event(RTMR0, EventType.EV_EFI_VARIABLE_BOOT, v.value(),
                        UefiVariableData.encode(UefiVariableData.EFI_GLOBAL_VARIABLE, v.name(), v.value()), "variable " + v.name() + " (" + v.value().length + " bytes)"))
                .toList();
    }

    /**
     * EV_EFI_BOOT_SERVICES_APPLICATION for the image QEMU serves through fw_cfg; the digest is its
     * Authenticode hash. The logged data (EFI_IMAGE_LOAD_EVENT) holds the load address chosen at run
     * time, so the predicted event carries no data; diff compares type and digest.
     */
    public static BootEvent bootApplication(byte[] authenticode, String what) {
        return new BootEvent(RTMR1, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, java.util.Map.of(HashAlg.SHA384, authenticode),
                new byte[0], what + " (Authenticode)");
    }

    /** EV_EFI_ACTION: the ASCII string (no NUL) is both the data and what is hashed. */
    /** RTMR1 (PCR 5) EV_EFI_GPT_EVENT of the boot disk: data and digest are the whole UEFI_GPT_DATA. */
    public static BootEvent gpt(byte[] gptData, String source) {
        return event(RTMR1, EventType.EV_EFI_GPT_EVENT, gptData, gptData,
                "GPT of " + source + ", " + UefiGptData.partitions(gptData) + " partition(s)");
    }

    public static BootEvent action(int index, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        return event(index, EventType.EV_EFI_ACTION, t, t, text);
    }

    /** Linux EFI stub (>= 6.9) LoadOptions: SHA-384 of the command line as UTF-16LE with its NUL. */
    public static BootEvent loadOptions(String cmdline) {
        byte[] measured = (cmdline + "\0").getBytes(StandardCharsets.UTF_16LE);
        return event(RTMR2, EventType.EV_EVENT_TAG, measured, "LOADED_IMAGE::LoadOptions\0".getBytes(StandardCharsets.US_ASCII),
                "LoadOptions: " + cmdline);
    }

    /** Linux EFI stub (>= 6.9) initrd: SHA-384 of the initrd bytes served through LoadFile2. */
    public static BootEvent initrd(byte[] initrd) {
        return initrd(HashAlg.SHA384.newBulkDigest().digest(initrd), initrd.length);
    }

    /** {@link #initrd(byte[])} from the initrd's SHA-384, when it was already computed for another event over the same bytes. */
    public static BootEvent initrd(byte[] sha384, long length) {
        return new BootEvent(RTMR2, EventType.EV_EVENT_TAG, java.util.Map.of(HashAlg.SHA384, sha384), "Linux initrd\0".getBytes(StandardCharsets.US_ASCII),
                "Linux initrd, " + length + " bytes");
    }
}
