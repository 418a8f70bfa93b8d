package dev.sealwright.measure.vtpm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * PlatformPei's {@code mPlatformInfoHob} (edk2-stable202211 {@code EFI_HOB_PLATFORM_INFO}, packed, 138
 * bytes) as it stands when Tcg2Pei hashes PEIFV, for a q35 VM under QEMU 7.2 TCG (CPU model qemu64:
 * AuthenticAMD, 40 physical address bits, so OVMF trusts CPUID and sizes the 64-bit MMIO window
 * dynamically), followed by QemuFwCfgPeiLib's two BOOLEANs (fw_cfg and its DMA interface present). Its
 * values follow PlatformInitLib (MemDetect.c, Platform.c) and PlatformPei (Platform.c, MemDetect.c):
 * <ul>
 * <li>low RAM: QEMU's q35 split, all RAM below 4 GiB up to 0xB0000000, else 2 GiB below and the rest
 *     from 4 GiB (pc_q35_init);</li>
 * <li>FirstNonAddress: 4 GiB + RAM above 4 GiB, rounded up to 1 GiB and to the 32 GiB default
 *     aperture, plus that aperture (PlatformGetFirstNonAddress);</li>
 * <li>64-bit MMIO: the top eighth of the 40-bit space (PlatformDynamicMmioWindow);</li>
 * <li>Uc32Base 2 GiB when low RAM is at most 2 GiB, else PcdPciExpressBaseAddress 0xB0000000;
 *     32-bit MMIO 0xC0000000..0xFC000000; PCI I/O 0x6000 + 0xA000;</li>
 * <li>boot and possible CPUs = -smp N; DefaultMaxCpuNumber 64; S3 (QEMU 7.2 q35 offers it): 512 KiB
 *     + 32 KiB per CPU below the top of low RAM (less TSEG with SMM);</li>
 * <li>SMM builds: SmmSmramRequire, SMRAM at the default SMBASE, QEMU's extended TSEG of 16 MiB.</li>
 * </ul>
 * Checked against PEIFV in a booted VM's RAM and the logged digests (see docs/measure.md).
 */
record OvmfPlatformInfo(long memoryBytes, int cpus, boolean smm) {
    static final int SIZE = 138 + 2;
    private static final long GIB = 1L << 30, FOUR_GIB = 4 * GIB;
    private static final int PHYS_BITS = 40, TSEG_MIB = 16, DEFAULT_MAX_CPUS = 64, AP_STACK = 0x8000;
    private static final long MMIO64_DEFAULT = 0x800000000L;

    long below4g() {
        return Math.min(memoryBytes, memoryBytes >= 0xB0000000L ? 0x80000000L : 0xB0000000L);
    }

    byte[] encode() {
        long below = below4g(), above = memoryBytes - below;
        long base = alignUp(alignUp(FOUR_GIB + above, GIB), MMIO64_DEFAULT);
        long firstNonAddress = base + MMIO64_DEFAULT, mmio64Size = MMIO64_DEFAULT;
        long space = 1L << PHYS_BITS, dynamic = 1L << (PHYS_BITS - 3);
        if (mmio64Size < dynamic && base + dynamic < space) {
            mmio64Size = dynamic;
            base = space - dynamic;
        }
        long lowTop = below - (smm ? (long) TSEG_MIB << 20 : 0);
        long s3Size = 0x80000L + (long) cpus * AP_STACK;
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);                                  // EFI_HOB_GUID_TYPE: filled only in the HOB copy
        b.putShort((short) 0x29C0);                      // HostBridgeDevId: Q35 MCH
        b.putLong(0);                                    // PcdConfidentialComputingGuestAttr
        b.put((byte) 0);                                 // SevEsIsEnabled
        b.putInt(0);                                     // BootMode: BOOT_WITH_FULL_CONFIGURATION
        b.put((byte) 1);                                 // S3Supported
        b.put((byte) (smm ? 1 : 0));                     // SmmSmramRequire
        b.put((byte) (smm ? 1 : 0));                     // Q35SmramAtDefaultSmbase
        b.putShort((short) (smm ? TSEG_MIB : 0));        // Q35TsegMbytes
        b.putLong(firstNonAddress);
        b.put((byte) PHYS_BITS);                         // PhysMemAddressWidth
        b.putInt((int) (below <= 0x80000000L ? 0x80000000L : 0xB0000000L));   // Uc32Base
        b.putInt(0);                                     // Uc32Size (i440fx only)
        b.put((byte) 0);                                 // PcdSetNxForStack
        b.putLong(0);                                    // PcdTdxSharedBitMask
        b.putLong(base).putLong(mmio64Size);
        b.putInt(0xC0000000).putInt(0x3C000000);         // 32-bit MMIO: PCIEXBAR + 256 MiB .. 0xFC000000
        b.putLong(0x6000).putLong(0xA000);               // PCI I/O
        b.putLong(0);                                    // PcdEmuVariableNvStoreReserved
        b.putInt(cpus).putInt(cpus).putInt(DEFAULT_MAX_CPUS);
        b.putInt((int) (lowTop - s3Size)).putInt((int) s3Size);
        b.put((byte) 1).put((byte) 1);                   // QemuFwCfgPeiLib: fw_cfg supported, DMA supported
        return b.array();
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
