package dev.sealwright.measure.tdx;

import dev.sealwright.base.DaemonThreads;
import dev.sealwright.image.pe.PeFile;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.event.LogKind;
import dev.sealwright.measure.event.Registers;
import dev.sealwright.uefi.FirmwareBuild;
import dev.sealwright.uefi.OvmfBootOptions;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Predicted MRTD, predicted events (in the order firmware logs them) and, per RTMR, either its
 * value or the reasons it cannot be computed by this build. A register with a missing event is
 * never given a value.
 */
public record TdxPrediction(byte[] mrtd, List<BootEvent> events, Map<Integer, List<String>> missing) {
    public TdxPrediction {
        events = List.copyOf(events);
    }

    /** The hashing workers: daemon threads, kept for a minute after use (the CLI daemon predicts again). */
    private static final ExecutorService WORKERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), DaemonThreads.named("tdx-hash"));

    public static TdxPrediction predict(TdxInputs in) {
        // A UKI's stub events hash its inner kernel and initrd again (about as many bytes as the whole image): one worker
        // hashes those and another the firmware for MRTD while this thread hashes the whole image, so three hashes of
        // about 42, 42 and 4 ms (a 30 MB UKI, 2 MB firmware) share two cores and end together, not 42 then 4 on one.
        // Workers come from this class's own daemon pool: the common pool has a single worker on 2 cores.
        TdvfMetadata md = TdvfMetadata.parse(in.firmware(), in.firmwareName());
        TdxProfile p = in.profile();
        CompletableFuture<UkiEvents> uki = in.uki() ? CompletableFuture.supplyAsync(() -> UkiEvents.of(in), WORKERS) : null;
        CompletableFuture<byte[]> mrtd = CompletableFuture.supplyAsync(() -> MrtdCalculator.compute(in.firmware(), md, p.pageOrder()), WORKERS);
        List<BootEvent> ev = new ArrayList<>();
        Map<Integer, List<String>> missing = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) missing.put(i, new ArrayList<>());
        boolean oldLayout = p.separatorLayout() == TdxProfile.SeparatorLayout.RTMR0_BEFORE_202411;

        ev.add(TdvfEvents.tdHob(md, in.memoryBytes()));
        ev.add(TdvfEvents.cfv(in.firmware(), md));
        ev.addAll(TdvfEvents.secureBootPolicy(p.secureBoot()));
        ev.add(TdvfEvents.separator(TdvfEvents.RTMR0));
        if (in.acpi() != null) ev.addAll(TdvfEvents.acpi(in.acpi().tableLoader(), in.acpi().rsdp(), in.acpi().tables()));
        else missing.get(0).add("ACPI tables (profile " + p.name() + " has no modelled TD ACPI build: QEMU 9.2/10.0 are modelled for non-TD TCG guests only, and what a TD changes"
                + " (tdx-guest forces pic=off and smm=off; the interrupt model; TDVF's PCIEXBAR and 64-bit aperture) is unproven without a TD;"
                + " pass --acpi DIR with table-loader, rsdp and tables captured from the target, or a measure capture --profile FILE)");
        if (in.esp() == null) {
            // direct boot: QEMU's kernel is loaded (and measured) before ReadyToBoot; the boot options are OVMF's fixed ones
            if (in.kernel() != null) imageEvent(in, p, ev);
            else missing.get(1).add("no kernel or UKI given");
            ev.addAll(TdvfEvents.directBootVariables());
        } else {
            espBootVariables(in, ev, missing.get(0));
        }
        ev.add(TdvfEvents.action(TdvfEvents.RTMR1, TdvfEvents.CALLING_EFI_APPLICATION));
        ev.add(TdvfEvents.separator(oldLayout ? TdvfEvents.RTMR0 : TdvfEvents.RTMR1));
        if (in.esp() != null) {
            // ESP boot: the boot manager reads the disk's GPT, then loads the UKI as built
            ev.add(TdvfEvents.gpt(in.esp().gptData(), in.esp().source()));
            ev.add(TdvfEvents.bootApplication(PeFile.authenticodeDigest(new byte[0], in.kernel(), "SHA-384", in.kernelName()), "UKI from the ESP (\\EFI\\BOOT\\BOOTX64.EFI)"));
        }
        if (uki != null) {
            UkiEvents u = join(uki);
            ev.addAll(u.events());
            u.missing().forEach((i, why) -> missing.get(i).addAll(why));
        } else if (in.kernel() != null) {
            String cmdline = in.cmdline() == null ? "" : in.cmdline();
            if (in.initrd() != null) cmdline = cmdline + " initrd=initrd";   // OVMF formats "%a%a": a leading space when -append is empty
            ev.add(TdvfEvents.loadOptions(cmdline));
            if (in.initrd() != null) ev.add(TdvfEvents.initrd(in.initrd()));
        } else {
            missing.get(2).add("no kernel or UKI given");
        }
        ev.add(TdvfEvents.action(TdvfEvents.RTMR1, TdvfEvents.EXIT_BOOT_SERVICES));
        ev.add(TdvfEvents.action(TdvfEvents.RTMR1, TdvfEvents.EXIT_BOOT_SERVICES_OK));
        return new TdxPrediction(join(mrtd), ev, missing);
    }

    /**
     * ESP boot: BootOrder and Boot#### as the firmware's boot manager creates them for the ESP disk
     * (OvmfBootOptions), for a firmware build whose boot manager is modelled and a VM whose device list
     * is known; else the one reason they are not computed.
     */
    private static void espBootVariables(TdxInputs in, List<BootEvent> ev, List<String> missing) {
        FirmwareBuild build = FirmwareBuild.lookup(in.firmware());
        String why = build == null ? in.firmwareName() + ": " + FirmwareBuild.UNKNOWN : build.bootOptionsUnmodelled();
        if (why == null && in.esp().pciPath() == null)
            why = "the boot variables (BootOrder, Boot####) depend on where the ESP disk sits: profile " + in.profile().name()
                    + " has no modelled TD device list (modelled: ubuntu-24.04, or a captured --profile FILE)";
        if (why != null) missing.add(why);
        else ev.addAll(TdvfEvents.bootVariables(OvmfBootOptions.virtioDisk(in.esp().pciPath(), in.esp().otherDisks(), build.bootOptions().internalShell())));
    }

    /** The events of {@link UkiBoot}, computed apart from the others. */
    private record UkiEvents(List<BootEvent> events, Map<Integer, List<String>> missing) {
        static UkiEvents of(TdxInputs in) {
            List<BootEvent> ev = new ArrayList<>();
            Map<Integer, List<String>> missing = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++) missing.put(i, new ArrayList<>());
            UkiBoot.events(in, ev, missing);
            return new UkiEvents(ev, missing);
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** RTMR1's image event: Authenticode of the image as QEMU serves it (its setup header patched or not, per profile). */
    private static void imageEvent(TdxInputs in, TdxProfile p, List<BootEvent> ev) {
        ByteBuffer k = in.kernel();
        byte[] start = new byte[Math.min(k.capacity(), QemuKernelHeader.HEAD)];   // all a patch reads and changes
        k.get(0, start);
        boolean linux = QemuKernelHeader.isLinux(start);
        boolean patched = switch (p.kernelPatch()) {
            case NONE -> false;
            case LINUX_ONLY -> linux;
            case ALL_IMAGES -> true;
        };
        // the image as served: its patched head over the unchanged rest, hashed in place (no copy of the image)
        byte[] head;
        if (!patched) head = new byte[0];
        else if (linux) head = QemuKernelHeader.patchedHead(start, in.kernelName(), in.memoryBytes(), in.initrd() == null ? null : (long) in.initrd().length, in.cmdline());
        else head = QemuKernelHeader.patchedHeadNonLinux(start, k.capacity(), in.kernelName(), in.cmdline());
        ev.add(TdvfEvents.bootApplication(PeFile.authenticodeDigest(head, k, "SHA-384", in.kernelName()),
                (in.uki() ? "UKI" : "kernel") + (!patched ? "" : linux ? " with QEMU's setup-header patch" : " with QEMU's pre-2024 header patch at 0x20..0x23")));
    }

    public String mrtdHex() {
        return HexFormat.of().formatHex(mrtd);
    }

    /** RTMR value (hex), or null when some of its events are missing. RTMR3 is zero at boot (firmware never extends it). */
    public String rtmrHex(int i) {
        if (!missing.get(i).isEmpty()) return null;
        return Registers.replay(LogKind.CC_EVENT_LOG, events, HashAlg.SHA384).hex(i);
    }

    public List<BootEvent> events(int rtmr) {
        return events.stream().filter(e -> e.index() == rtmr + 1).toList();
    }
}
