package dev.sealwright.measure.vtpm;

import dev.sealwright.image.pe.PeFile;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.UefiVariableData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TPM event-log events an OVMF + swtpm boot of a systemd-stub UKI produces, built from their
 * inputs with digest and event data as edk2 (Tcg2Dxe, DxeTpm2MeasureBootLib, DxeImageVerificationLib),
 * systemd-stub and the Linux EFI stub write them. Each event carries the digests of {@link #BANKS}.
 */
public final class TpmBootEvents {
    /** The banks predictions are computed in. */
    public static final List<HashAlg> BANKS = List.of(HashAlg.SHA256, HashAlg.SHA384);
    public static final String CALLING_EFI_APPLICATION = "Calling EFI Application from Boot Option";
    /** EV_EVENT_TAG ids of the Linux EFI stub (drivers/firmware/efi/libstub/efistub.h). */
    static final int TAG_INITRD = 0x8F3B22EC, TAG_LOAD_OPTIONS = 0x8F3B22ED;

    private TpmBootEvents() {}

    static BootEvent measuring(int pcr, long type, byte[] measured, byte[] data, String description) {
        return BootEvent.measuring(pcr, type, measured, data, description, BANKS.toArray(HashAlg[]::new));
    }

    /** EV_SEPARATOR: H(00000000), data 00000000. */
    public static BootEvent separator(int pcr) {
        return measuring(pcr, EventType.EV_SEPARATOR, new byte[4], new byte[4], "separator 00000000");
    }

    /** EV_EFI_ACTION: the ASCII string (no NUL) is both data and what is hashed. */
    public static BootEvent action(int pcr, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        return measuring(pcr, EventType.EV_EFI_ACTION, t, t, text);
    }

    /** PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG: digest over the whole UEFI_VARIABLE_DATA; an absent variable has 0 data bytes. */
    public static BootEvent driverConfig(String guid, String name, byte[] value) {
        byte[] v = UefiVariableData.encode(guid, name, value == null ? new byte[0] : value);
        return measuring(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, v, v,
                "variable " + name + " (" + (value == null ? 0 : value.length) + " bytes)");
    }

    /** PCR 1 EV_EFI_VARIABLE_BOOT: the digest covers the variable's data only, the event data is the whole UEFI_VARIABLE_DATA. */
    static BootEvent bootVariable(String name, byte[] value) {
        return measuring(1, EventType.EV_EFI_VARIABLE_BOOT, value, UefiVariableData.encode(UefiVariableData.EFI_GLOBAL_VARIABLE, name, value),
                "variable " + name + " (" + value.length + " bytes)");
    }

    /** PCR 7 EV_EFI_VARIABLE_AUTHORITY: UEFI_VARIABLE_DATA "db" whose data is the EFI_SIGNATURE_DATA (owner ‖ cert) that verified an image. */
    public static BootEvent authority(byte[] signatureData, String what) {
        byte[] v = UefiVariableData.encode(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "db", signatureData);
        return measuring(7, EventType.EV_EFI_VARIABLE_AUTHORITY, v, v, "variable db (" + signatureData.length + " bytes): " + what);
    }

    /**
     * PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION: digest = Authenticode hash of the image in each bank. The
     * logged EFI_IMAGE_LOAD_EVENT holds the run-time load address, so the predicted event has no data;
     * diff compares type and digest.
     */
    public static BootEvent bootApplication(Map<HashAlg, byte[]> authenticode, String what) {
        return new BootEvent(4, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, authenticode, new byte[0], what + " (Authenticode)");
    }

    /** Linux EFI stub PCR 9 "LOADED_IMAGE::LoadOptions": H(UTF-16LE command line ‖ NUL) as systemd-stub passes it. */
    public static BootEvent loadOptions(String cmdline) {
        return measuring(9, EventType.EV_EVENT_TAG, (cmdline + "\0").getBytes(StandardCharsets.UTF_16LE),
                tagged(TAG_LOAD_OPTIONS, "LOADED_IMAGE::LoadOptions"), "LoadOptions: " + cmdline);
    }

    /** Linux EFI stub PCR 9 "Linux initrd": H(the initrd served through LINUX_EFI_INITRD_MEDIA_GUID). */
    public static BootEvent initrd(byte[] initrd) {
        return measuring(9, EventType.EV_EVENT_TAG, initrd, tagged(TAG_INITRD, "Linux initrd"), "Linux initrd, " + initrd.length + " bytes");
    }

    /** TCG_PCClientTaggedEvent: u32 id, u32 size, the ASCII description with its NUL. */
    private static byte[] tagged(int id, String text) {
        byte[] t = (text + "\0").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + t.length).order(ByteOrder.LITTLE_ENDIAN).putInt(id).putInt(t.length).put(t).array();
    }

    /** The Authenticode digest of {@code pe} in every prediction bank. */
    static Map<HashAlg, byte[]> authenticode(byte[] pe, String what) {
        Map<HashAlg, byte[]> m = new LinkedHashMap<>();
        for (HashAlg alg : BANKS) m.put(alg, PeFile.authenticodeDigest(pe, alg == HashAlg.SHA256 ? "SHA-256" : "SHA-384", what));
        return m;
    }
}
