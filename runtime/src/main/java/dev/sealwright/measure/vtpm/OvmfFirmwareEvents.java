package dev.sealwright.measure.vtpm;

import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.uefi.FirmwareVolumes;
import dev.sealwright.uefi.OvmfPcr01Layout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * OVMF's PCR 0 events, from the code image alone plus the VM's memory and vCPU count: Tcg2Pei's
 * EV_S_CRTM_VERSION (PcdFirmwareVersionString, UTF-16LE + NUL) and one EV_EFI_PLATFORM_FIRMWARE_BLOB
 * per firmware volume SEC decompresses into RAM (PEIFV, DXEFV; data: BlobBase, BlobLength), hashed as
 * they are in RAM when Tcg2Pei measures them: DXEFV as decompressed, PEIFV with the globals the PEIMs
 * that ran before Tcg2Pei wrote into it in place (PlatformPei's mPlatformInfoHob, the fw_cfg flags and,
 * for SMM builds, mMemoryTypeInformation raised from the vars file).
 */
public final class OvmfFirmwareEvents {
    private static final int MEMORY_TYPE_RECORDS = 6, EFI_MAX_MEMORY_TYPE = 16;

    private OvmfFirmwareEvents() {}

    public static List<BootEvent> pcr0(OvmfPcr01Layout layout, byte[] code, String source, long memoryBytes, int cpus, byte[] memoryTypeInformation) {
        List<byte[]> fvs = FirmwareVolumes.decompressedVolumes(code, source);
        if (fvs.size() != 2) throw new RecipeException(source + ": " + fvs.size() + " firmware volumes in FVMAIN_COMPACT, expected PEIFV and DXEFV");
        byte[] pei = fvs.get(0).clone(), dxe = fvs.get(1);
        byte[] info = new OvmfPlatformInfo(memoryBytes, cpus, layout.smm()).encode();
        if (layout.platformInfoOffset() + info.length > pei.length) throw new RecipeException(source + ": PEIFV is smaller than this build's layout says");
        System.arraycopy(info, 0, pei, layout.platformInfoOffset(), info.length);
        if (layout.smm() && memoryTypeInformation != null) raiseMemoryTypes(pei, layout.memTypeInfoOffset(), memoryTypeInformation);
        byte[] version = (layout.crtmVersion() + "\0").getBytes(StandardCharsets.UTF_16LE);
        return List.of(
                TpmBootEvents.measuring(0, EventType.EV_S_CRTM_VERSION, version, version, "CRTM version \"" + layout.crtmVersion() + "\""),
                blob(layout.peiFvBase(), pei, source, "PEIFV"),
                blob(layout.dxeFvBase(), dxe, source, "DXEFV"));
    }

    private static BootEvent blob(long base, byte[] fv, String source, String name) {
        long length = FirmwareVolumes.length(fv, source + " " + name);
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(base).putLong(length).array();
        return TpmBootEvents.measuring(0, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB, Arrays.copyOf(fv, (int) length), data,
                name + " at 0x" + Long.toHexString(base) + ", 0x" + Long.toHexString(length) + " bytes");
    }

    /** PlatformPei RefreshMemTypeInfo: each default record takes the variable's first record of its type when that has more pages. */
    private static void raiseMemoryTypes(byte[] pei, int offset, byte[] variable) {
        if (variable.length % 8 != 0 || variable.length > 8 * (EFI_MAX_MEMORY_TYPE + 1)) return;   // edk2 ignores such a variable
        ByteBuffer fv = ByteBuffer.wrap(pei).order(ByteOrder.LITTLE_ENDIAN), var = ByteBuffer.wrap(variable).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MEMORY_TYPE_RECORDS - 1; i++) {
            int type = fv.getInt(offset + 8 * i), pages = fv.getInt(offset + 8 * i + 4);
            if (type == EFI_MAX_MEMORY_TYPE) break;
            for (int j = 0; j < variable.length / 8; j++) {
                if (var.getInt(8 * j) != type) continue;
                if (Integer.compareUnsigned(pages, var.getInt(8 * j + 4)) < 0) fv.putInt(offset + 8 * i + 4, var.getInt(8 * j + 4));
                break;
            }
        }
    }
}
