package dev.sealwright.measure.tdx;

import dev.sealwright.base.RecipeException;
import dev.sealwright.measure.acpi.QemuAcpiModel;
import dev.sealwright.vm.QemuVersion;
import dev.sealwright.vm.TdxDialect;

import java.util.List;

/**
 * A named host stack that fixes every version-dependent choice of a TDX prediction. Each field is
 * one "version trap" from the measurement spec (§5); nothing version-dependent is guessed elsewhere.
 * {@code qemu} is the host's QEMU version: it names the TDX command-line dialect a launch on that host uses
 * ({@link #dialect()}), so the one model of the host stack serves both launch and prediction.
 * {@code acpi} is the QEMU ACPI build the profile's host runs (null: not modelled, tables must be
 * captured and passed with --acpi).
 */
public record TdxProfile(String name, String description, QemuVersion qemu, MrtdCalculator.PageOrder pageOrder,
                         SeparatorLayout separatorLayout, KernelHeaderPatch kernelPatch,
                         SecureBootMeasurement secureBoot, QemuAcpiModel acpi) {

    /** Where edk2 puts the ReadyToBoot separator. */
    public enum SeparatorLayout {
        /** edk2 before stable202411: two separators in RTMR0, none in RTMR1. */
        RTMR0_BEFORE_202411,
        /** edk2 stable202411 and later (commit efaf893): one in RTMR0, one in RTMR1 after "Calling EFI Application". */
        RTMR1_FROM_202411
    }

    /** Which images QEMU's x86_load_linux rewrites the setup header of (changes the RTMR1 kernel digest). */
    public enum KernelHeaderPatch {
        /** QEMU before "x86/loader: only patch linux kernels" (upstream 9.0; backported to stable 7.2.17): every image, a UKI included (bytes 0x20..0x23). */
        ALL_IMAGES("all"),
        /** QEMU with that change: only Linux images (setup protocol > 0). */
        LINUX_ONLY("linux"),
        /** QEMU >= 10.2 (commit a7542a38f399): never for confidential guests; RTMR1 = the file as built. */
        NONE("none");

        private final String label;

        KernelHeaderPatch(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static KernelHeaderPatch parse(String text) {
            for (KernelHeaderPatch k : values()) if (k.label.equals(text)) return k;
            throw new RecipeException("--kernel-patch must be all, linux or none, not '" + text + "'");
        }
    }

    /** What the SecureBoot EV_EFI_VARIABLE_DRIVER_CONFIG event carries; depends on how the firmware was built. */
    public enum SecureBootMeasurement {
        /** No auth-variable support (dstack, upstream TDVF builds): zero-length data. */
        ABSENT(new byte[0]),
        /** Secure-boot-capable build without PK (Intel/Ubuntu): one byte 00. */
        DISABLED(new byte[] {0}),
        /** PK enrolled, secure boot on: one byte 01. */
        ENABLED(new byte[] {1});

        private final byte[] value;

        SecureBootMeasurement(byte[] value) {
            this.value = value;
        }

        public byte[] value() {
            return value.clone();
        }

        public static SecureBootMeasurement parse(String text) {
            return switch (text) {
                case "absent" -> ABSENT;
                case "0", "00", "disabled" -> DISABLED;
                case "1", "01", "enabled" -> ENABLED;
                default -> throw new RecipeException("--secure-boot must be absent, 0 or 1, not '" + text + "'");
            };
        }
    }

    /** The QEMU command-line dialect of this profile's host (that of its QEMU version). */
    public TdxDialect dialect() {
        return qemu.tdxDialect();
    }

    public static final List<TdxProfile> ALL = List.of(
            new TdxProfile("ubuntu-24.04", "Canonical TDX 24.04 stack: QEMU 8.2.2 + host 6.8, OVMF 2024.02 (secure-boot capable)", QemuVersion.parse("8.2.2"),
                    MrtdCalculator.PageOrder.TWO_PASS, SeparatorLayout.RTMR0_BEFORE_202411, KernelHeaderPatch.ALL_IMAGES, SecureBootMeasurement.DISABLED, QemuAcpiModel.QEMU_8_2_TDX),
            new TdxProfile("ubuntu-25.04", "Ubuntu 25.04: QEMU 9.2.1, OVMF 2025.02 (virtee tdx-measure reference settings)", QemuVersion.parse("9.2.1"),
                    MrtdCalculator.PageOrder.SINGLE_PASS, SeparatorLayout.RTMR1_FROM_202411, KernelHeaderPatch.LINUX_ONLY, SecureBootMeasurement.ABSENT, null),
            new TdxProfile("qemu-10", "upstream QEMU >= 10.2 with upstream KVM (Linux >= 6.16) and edk2 >= stable202411", QemuVersion.parse("10.2.0"),
                    MrtdCalculator.PageOrder.SINGLE_PASS, SeparatorLayout.RTMR1_FROM_202411, KernelHeaderPatch.NONE, SecureBootMeasurement.ABSENT, null),
            new TdxProfile("dstack", "dstack (meta-dstack 0.5.x): two-pass MRTD as in dstack-mr's v0.5.5 vector, OVMF without auth variables",
                    QemuVersion.parse("9.0.0"),   // the first QEMU that patches Linux images only; dstack hosts' exact QEMU is not pinned here
                    MrtdCalculator.PageOrder.TWO_PASS, SeparatorLayout.RTMR1_FROM_202411, KernelHeaderPatch.LINUX_ONLY, SecureBootMeasurement.ABSENT, null));

    public static TdxProfile named(String name) {
        for (TdxProfile p : ALL) if (p.name.equals(name)) return p;
        throw new RecipeException("unknown TDX profile '" + name + "' (known: " + String.join(", ", ALL.stream().map(TdxProfile::name).toList()) + ")");
    }

    /** This profile with another QEMU header-patch mode (a host QEMU with or without a backport). */
    public TdxProfile withKernelPatch(KernelHeaderPatch patch) {
        return new TdxProfile(name, description, qemu, pageOrder, separatorLayout, patch, secureBoot, acpi);
    }

    public TdxProfile withSecureBoot(SecureBootMeasurement sb) {
        return new TdxProfile(name, description, qemu, pageOrder, separatorLayout, kernelPatch, sb, acpi);
    }
}
