package dev.sealwright.measure.snp;

import dev.sealwright.base.RecipeException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Predicts the launch measurement of an SEV, SEV-ES or SEV-SNP guest the way sev-snp-measure (and QEMU +
 * KVM + the AMD firmware) compute it: firmware pages, SEV metadata sections (with the kernel hashes
 * page), then one VMSA per boot vCPU.
 */
public final class LaunchDigestCalculator {
    private static final int PAGE_MASK = 0xFFF;

    private LaunchDigestCalculator() {}

    public static LaunchMeasurement measure(SnpLaunchParameters p) {
        p.validate();
        OvmfImage ovmf = OvmfImage.read(p.ovmf());
        return switch (p.mode()) {
            case SNP, SNP_OVMF_HASH -> snp(p, ovmf);
            case SNP_SVSM -> svsm(p, ovmf);
            case SEV_ES, SEV -> sev(p, ovmf);
        };
    }

    private static LaunchMeasurement snp(SnpLaunchParameters p, OvmfImage ovmf) {
        List<LaunchMeasurement.Stage> stages = new ArrayList<>();
        LaunchDigest gctx;
        if (p.ovmfHash() != null) {
            gctx = new LaunchDigest(p.ovmfHash());
            stages.add(new LaunchMeasurement.Stage("firmware", "seeded with the given OVMF hash", gctx.value()));
        } else {
            gctx = new LaunchDigest();
            gctx.updateNormalPages(ovmf.gpa(), ovmf.dataView());
            stages.add(new LaunchMeasurement.Stage("firmware", String.format("%d page(s) of %s at 0x%X", gctx.pages(), ovmf.fileName(), ovmf.gpa()), gctx.value()));
        }
        if (p.mode() == SevMode.SNP_OVMF_HASH) return new LaunchMeasurement(p.mode(), gctx.value(), stages, List.of(), List.of());

        SevHashTable hashes = null;
        if (p.kernel() != null) {
            if (!ovmf.hasSection(SectionType.SNP_KERNEL_HASHES))
                throw new RecipeException(ovmf.name() + ": Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section (use an AmdSevX64 build)");
            hashes = SevHashTable.of(p.kernel(), p.initrd(), p.append());
        }
        updateMetadata(gctx, ovmf, hashes, p.vmmType(), stages);

        long apEip = ovmf.sevEsResetEip();
        List<Vmsa> vmsas = new ArrayList<>();
        for (int i = 0; i < p.vcpus(); i++) {
            long eip = i == 0 ? VmmType.BSP_EIP : apEip;
            vmsas.add(p.vmmType().vmsa(eip, p.guestFeatures(), sig(p), p.kvmInit2()));
        }
        return finishSnp(p.mode(), gctx, vmsas, stages);
    }

    private static LaunchMeasurement svsm(SnpLaunchParameters p, OvmfImage ovmf) {
        OvmfImage svsm = OvmfImage.read(p.svsm(), ovmf.gpa() - p.varsSize());
        List<LaunchMeasurement.Stage> stages = new ArrayList<>();
        LaunchDigest gctx = new LaunchDigest();
        gctx.updateNormalPages(ovmf.gpa(), ovmf.dataView());
        stages.add(new LaunchMeasurement.Stage("firmware", String.format("%d page(s) of %s at 0x%X", gctx.pages(), ovmf.fileName(), ovmf.gpa()), gctx.value()));
        long before = gctx.pages();
        gctx.updateNormalPages(svsm.gpa(), svsm.dataView());
        stages.add(new LaunchMeasurement.Stage("svsm", String.format("%d page(s) of %s at 0x%X", gctx.pages() - before, svsm.fileName(), svsm.gpa()), gctx.value()));
        updateMetadata(gctx, svsm, null, VmmType.QEMU, stages);
        long eip = svsm.svsmEntryEip();
        List<Vmsa> vmsas = new ArrayList<>();
        for (int i = 0; i < p.vcpus(); i++) vmsas.add(VmmType.svsmVmsa(eip, p.vcpuSig()));
        return finishSnp(p.mode(), gctx, vmsas, stages);
    }

    private static LaunchMeasurement finishSnp(SevMode mode, LaunchDigest gctx, List<Vmsa> vmsas, List<LaunchMeasurement.Stage> stages) {
        List<byte[]> hashes = new ArrayList<>(), pages = new ArrayList<>();
        for (int i = 0; i < vmsas.size(); i++) {
            byte[] page = vmsas.get(i).toBytes();
            gctx.updateVmsaPage(page);
            pages.add(page);
            hashes.add(LaunchDigest.sha384(page));
            stages.add(new LaunchMeasurement.Stage("vmsa" + i, i == 0 ? "BSP" : "AP", gctx.value()));
        }
        return new LaunchMeasurement(mode, gctx.value(), stages, hashes, pages);
    }

    private static void updateMetadata(LaunchDigest gctx, OvmfImage image, SevHashTable hashes, VmmType vmm, List<LaunchMeasurement.Stage> stages) {
        long before = gctx.pages();
        for (MetadataSection s : image.sections()) {
            switch (s.type()) {
                case SNP_SEC_MEM -> gctx.updateEmptyPages(vmm == VmmType.GCE ? PageType.UNMEASURED : PageType.ZERO, s.gpa(), s.size());
                case SNP_SECRETS -> gctx.updateEmptyPage(PageType.SECRETS, s.gpa());
                case CPUID -> {
                    if (!isEc2(vmm)) gctx.updateEmptyPage(PageType.CPUID, s.gpa());
                }
                case SVSM_CAA -> gctx.updateEmptyPages(PageType.ZERO, s.gpa(), s.size());
                case SNP_KERNEL_HASHES -> {
                    if (hashes == null) gctx.updateEmptyPages(PageType.ZERO, s.gpa(), s.size());
                    else {
                        if (s.size() != LaunchDigest.PAGE)
                            throw new RecipeException(image.name() + ": the SNP_KERNEL_HASHES section is 0x" + Long.toHexString(s.size()) + " bytes, expected one page");
                        int offset = (int) (image.sevHashesTableGpa() & PAGE_MASK);
                        gctx.updateNormalPages(s.gpa(), hashes.page(offset));
                    }
                }
            }
        }
        if (isEc2(vmm))
            for (MetadataSection s : image.sections()) if (s.type() == SectionType.CPUID) gctx.updateEmptyPage(PageType.CPUID, s.gpa());
        stages.add(new LaunchMeasurement.Stage("metadata", String.format("%d page(s) from %d sections%s", gctx.pages() - before,
                image.sections().size(), hashes == null ? "" : ", with the kernel hashes page"), gctx.value()));
    }

    private static boolean isEc2(VmmType vmm) {
        return vmm == VmmType.EC2 || vmm == VmmType.EC2_LEGACY;
    }

    private static long sig(SnpLaunchParameters p) {
        return p.vcpuSig() == null ? 0 : p.vcpuSig();
    }

    private static LaunchMeasurement sev(SnpLaunchParameters p, OvmfImage ovmf) {
        MessageDigest md = sha256();
        List<LaunchMeasurement.Stage> stages = new ArrayList<>();
        md.update(ovmf.dataView());
        stages.add(new LaunchMeasurement.Stage("firmware", ovmf.size() + " bytes of " + ovmf.fileName(), snapshot(md)));
        if (p.kernel() != null) {
            if (!ovmf.supportsSevHashesTable())
                throw new RecipeException(ovmf.name() + ": Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement");
            md.update(SevHashTable.of(p.kernel(), p.initrd(), p.append()).toBytes());
            stages.add(new LaunchMeasurement.Stage("hashes-table", SevHashTable.PADDED_SIZE + " bytes", snapshot(md)));
        }
        List<byte[]> hashes = new ArrayList<>(), pages = new ArrayList<>();
        if (p.mode() == SevMode.SEV_ES) {
            long apEip = ovmf.sevEsResetEip();
            for (int i = 0; i < p.vcpus(); i++) {
                byte[] page = p.vmmType().vmsa(i == 0 ? VmmType.BSP_EIP : apEip, 0, sig(p), p.kvmInit2()).toBytes();
                md.update(page);
                pages.add(page);
                hashes.add(LaunchDigest.sha384(page));
                stages.add(new LaunchMeasurement.Stage("vmsa" + i, i == 0 ? "BSP" : "AP", snapshot(md)));
            }
        }
        return new LaunchMeasurement(p.mode(), md.digest(), stages, hashes, pages);
    }

    private static byte[] snapshot(MessageDigest md) {
        try {
            return ((MessageDigest) md.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
