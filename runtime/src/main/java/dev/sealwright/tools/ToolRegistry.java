package dev.sealwright.tools;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every external program and firmware file sealwright knows how to use, with its Debian package. */
public final class ToolRegistry {
    private static final Map<String, ToolSpec> KNOWN = new LinkedHashMap<>();

    static {
        add(ToolSpec.program("sha256sum", "coreutils", "--version", "checksums (cross-checks digest outputs)"));
        add(ToolSpec.program("tar", "tar", "--version", "archives (cross-checks archive outputs)"));
        add(ToolSpec.program("gzip", "gzip", "--version", "compression"));
        add(ToolSpec.program("make", "make", "--version", "builds native helpers"));
        add(ToolSpec.program("gcc", "gcc", "--version", "builds native helpers (static, needs libc6-dev)"));
        add(ToolSpec.program("file", "file", "--version", "identifies binaries in tests"));
        add(ToolSpec.program("cpio", "cpio", "--version", "cross-checks initramfs archives"));
        add(ToolSpec.program("qemu-system-x86_64", "qemu-system-x86", "--version", "launches guests"));
        add(ToolSpec.program("qemu-img", "qemu-utils", "--version", "converts disk images"));
        add(ToolSpec.program("qemu-io", "qemu-utils", "--version", "writes into dynamic VHDs in interop tests"));
        add(ToolSpec.program("swtpm", "swtpm", "--version", "software TPM for vTPM guests"));
        add(ToolSpec.program("swtpm_setup", "swtpm-tools", "--version", "creates swtpm state"));
        add(ToolSpec.program("tpm2_createprimary", "tpm2-tools", "--version", "TPM 2.0 cross-checks"));
        add(ToolSpec.program("tpm2", "tpm2-tools", "--version", "unseals a deployed disk's token after a launch (launch checkSeal)"));
        add(ToolSpec.program("cryptsetup", "cryptsetup-bin", "--version", "cross-checks LUKS2 headers"));
        add(ToolSpec.program("veritysetup", "cryptsetup-bin", "--version", "cross-checks dm-verity hash trees"));
        add(ToolSpec.program("sbverify", "sbsigntool", "--version", "checks PE/UKI signatures"));
        add(ToolSpec.program("sgdisk", "gdisk", "--version", "cross-checks GPT disks"));
        add(ToolSpec.program("mkfs.ext4", "e2fsprogs", "-V", "makes root filesystems"));
        add(ToolSpec.program("busybox", "busybox-static", null, "minimal userland for test initrds"));
        add(ToolSpec.program("jq", "jq", "--version", "writes the cczoo sample's broker policy"));
        add(ToolSpec.program("apt-get", "apt", "--version", "downloads Debian kernels and installs tools"));
        add(ToolSpec.program("openssl", "openssl", "version", "cross-checks ECDSA/RSA-PSS signatures (SNP ID blocks, reports); crypto speed limits in benchmarks; throwaway test certificates; DCAP signature, certificate and CRL cross-checks"));
        add(ToolSpec.program("docker", "docker.io", "--version", "reads docker-daemon: images (needs a running engine)"));
        add(ToolSpec.program("python3", "python3-cryptography", "--version", "test oracle: AES-XTS via python3-cryptography"));
        add(ToolSpec.program("mkfs.fat", "dosfstools", "--help", "formats the ESP of UKI boot disks"));
        add(ToolSpec.program("mcopy", "mtools", "--version", "copies the UKI into the ESP"));
        add(ToolSpec.program("mmd", "mtools", "--version", "creates directories in the ESP"));
        add(ToolSpec.program("virt-xml-validate", "libvirt-clients", "--version", "checks libvirt domain XML"));
        add(ToolSpec.program("virsh", "libvirt-clients", "--version", "defines, starts and ends libvirt domains (launch --libvirt)"));
        add(ToolSpec.program("script", "bsdutils", "--version", "gives virsh console a terminal (launch --libvirt)"));
        add(ToolSpec.file("ovmf", "ovmf", List.of("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd"),
                "UEFI firmware for q35 guests"));
        add(ToolSpec.program("tpm2_eventlog", "tpm2-tools", "--version", "cross-checks TCG2 event logs we write"));
        add(ToolSpec.file("ovmf-combined", "ovmf", List.of("/usr/share/ovmf/OVMF.fd"), "combined OVMF image (as a TD loads it) for MRTD tests"));
        add(ToolSpec.program("pesign", "pesign", null, "cross-checks Authenticode image hashes"));
        add(ToolSpec.program("sbsign", "sbsigntool", "--version", "signs PE images (uki.sign)"));
        add(ToolSpec.program("faketime", "faketime", "--version", "fixes sbsign's signingTime (uki.sign)"));
        add(ToolSpec.file("systemd-stub", "systemd-boot-efi", List.of("/usr/lib/systemd/boot/efi/linuxx64.efi.stub"),
                "UKI stub"));
        add(ToolSpec.program("apt-cache", "apt", "--version", "resolves Debian kernel package names"));
        add(ToolSpec.program("dpkg-deb", "dpkg", "--version", "unpacks Debian kernel packages"));
        add(ToolSpec.program("depmod", "kmod", "--version", "writes modules.dep for a downloaded kernel"));
        add(ToolSpec.program("objdump", "binutils", "--version", "cross-checks PE/UKI section tables"));
        add(ToolSpec.program("osslsigncode", "osslsigncode", "--version", "cross-checks Authenticode digests"));
        add(ToolSpec.program("skopeo", "skopeo", "--version", "cross-checks OCI layouts and docker-archives"));
        add(ToolSpec.file("cryptsetup-token-systemd-tpm2", "systemd",
                List.of("/usr/lib/x86_64-linux-gnu/cryptsetup/libcryptsetup-token-systemd-tpm2.so"),
                "cryptsetup plugin that validates systemd-tpm2 LUKS2 tokens"));
        add(ToolSpec.program("cert-to-efi-sig-list", "efitools", null, "cross-checks EFI signature lists"));
        add(ToolSpec.file("systemd-measure", "systemd", List.of("/usr/lib/systemd/systemd-measure"),
                "systemd's PCR 11 calculator for UKI sections (cross-checks systemd-stub measurements)"));
        add(ToolSpec.file("ovmf-vars-snakeoil", "ovmf", List.of("/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"),
                "OVMF variable store enrolled with Debian's snakeoil Secure Boot key"));
        add(ToolSpec.program("mdir", "mtools", "--version", "lists directories in the ESP (disk deploy)"));
        add(ToolSpec.program("debugfs", "e2fsprogs", "-V", "pins inode times of disk.image filesystems (reproducible)"));
        add(ToolSpec.program("e2fsck", "e2fsprogs", "-V", "cross-checks ext4 filesystems disk.image makes"));
        add(ToolSpec.program("objcopy", "binutils", "--version", "extracts UKI sections in tests"));
        add(ToolSpec.program("tmux", "tmux", "-V", "runs the REPL and jshell on a pseudo-terminal in tests, typed at as a person types"));
    }

    private ToolRegistry() {}

    private static void add(ToolSpec spec) {
        KNOWN.put(spec.name(), spec);
    }

    public static ToolSpec get(String name) {
        return KNOWN.get(name);
    }

    public static Collection<ToolSpec> all() {
        return KNOWN.values();
    }
}
