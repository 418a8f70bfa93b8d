package dev.sealwright.uefi;

/**
 * How one OVMF build measures PCR 0 and 1 (the facts a prediction needs beyond the image itself).
 *
 * @param crtmVersion          PcdFirmwareVersionString, logged as EV_S_CRTM_VERSION (UTF-16LE + NUL);
 *                             Debian's 2022.11 leaves it empty, so the event is 00 00
 * @param peiFvBase            where SEC decompresses PEIFV (PcdOvmfPeiMemFvBase; EFI_PLATFORM_FIRMWARE_BLOB.BlobBase)
 * @param dxeFvBase            where SEC decompresses DXEFV (PcdOvmfDxeMemFvBase)
 * @param platformInfoOffset   offset in PEIFV of PlatformPei's global {@code mPlatformInfoHob} (EFI_HOB_PLATFORM_INFO,
 *                             packed), which PlatformPei fills in place before Tcg2Pei hashes PEIFV; the two BOOLEANs of
 *                             QemuFwCfgPeiLib (fw_cfg and fw_cfg DMA supported) follow it
 * @param memTypeInfoOffset    offset in PEIFV of PlatformPei's {@code mMemoryTypeInformation[]}, which SMM builds raise
 *                             from the vars file's MemoryTypeInformation variable before the hash
 * @param smm                  built with SMM_REQUIRE (Secure Boot builds)
 */
public record OvmfPcr01Layout(String crtmVersion, long peiFvBase, long dxeFvBase, int platformInfoOffset, int memTypeInfoOffset,
                              boolean smm) {}
