package dev.sealwright.measure.tdx;

import dev.sealwright.image.pe.PeFile;
import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.HashAlg;
import dev.sealwright.measure.uki.StubMeasurements;
import dev.sealwright.measure.uki.StubVersion;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The events of a UKI booted directly (-kernel) after firmware's ReadyToBoot, per systemd-stub
 * version: the stub's section events (PCR 11 → RTMR2, stub >= 256 only, since older stubs use the
 * TPM protocol alone), the embedded kernel firmware measures when the stub loads it (PCR 4 → RTMR1,
 * stub 252..257), then the LoadOptions and initrd the Linux EFI stub measures (PCR 9 → RTMR2).
 */
final class UkiBoot {
    private UkiBoot() {}

    static void events(TdxInputs in, List<BootEvent> ev, Map<Integer, List<String>> missing) {
        PeFile uki = PeFile.layout(in.kernel(), in.kernelName());   // sections are copied only as measured
        Optional<StubVersion> found = in.stubVersion() != null ? Optional.of(StubVersion.of(in.stubVersion())) : StubVersion.detect(uki);
        if (found.isEmpty()) {
            String why = in.kernelName() + " has no systemd-stub version (.sdmagic); give the stub version (--stub-version) to predict what it measures";
            missing.get(1).add(why);
            missing.get(2).add(why);
            return;
        }
        StubVersion v = found.get();
        if (v.major() < StubVersion.OLDEST_MODELLED) {
            String why = "not implemented in this build: the measurements of " + v + " (" + StubVersion.OLDEST_MODELLED + " and later are modelled)";
            missing.get(1).add(why);
            missing.get(2).add(why);
            return;
        }
        List<StubMeasurements.Measurement> sections = v.measuresToCcRegisters() ? StubMeasurements.sections(uki, v, in.kernelName()) : List.of();
        List<BootEvent> sectionEvents = new java.util.ArrayList<>();
        for (StubMeasurements.Measurement m : sections)
            sectionEvents.add(BootEvent.measuring(TdvfEvents.mrIndexOfPcr(m.pcr()), m.type(), m.measured(), m.eventData(), m.description(), HashAlg.SHA384));
        ev.addAll(sectionEvents);
        if (v.kernelThroughLoadImage())
            ev.add(TdvfEvents.bootApplication(StubMeasurements.innerKernelDigest(uki, in.kernelName(), "SHA-384"),
                    "inner kernel (.linux) loaded by " + v));
        if (uki.section(".cmdline") != null) {
            String cmdline = StubMeasurements.commandLine(uki);
            if (cmdline == null) missing.get(2).add("not implemented in this build: a .cmdline with control characters or trailing whitespace (stub versions rewrite it differently)");
            else ev.add(TdvfEvents.loadOptions(cmdline));
        }
        if (!v.initrdModelled()) missing.get(2).add("not implemented in this build: the initrd " + v + " serves (which cpio archives it adds was read for 252..257)");
        else {
            // where the stub serves .initrd as is and logs no section events, hash it in place (no copy)
            BootEvent initrd = sections.isEmpty() ? digestedInitrd(uki, v) : null;
            if (initrd == null) initrd = initrdEvent(StubMeasurements.initrd(uki, v), sections, sectionEvents);
            if (initrd != null) ev.add(initrd);
        }
    }

    /** The Linux initrd event hashed straight from the UKI's bytes (no copy of the initrd); null unless the stub serves .initrd as is. */
    private static BootEvent digestedInitrd(PeFile uki, StubVersion v) {
        StubMeasurements.Digested d = StubMeasurements.initrdDigest(uki, v, HashAlg.SHA384);
        return d == null ? null : TdvfEvents.initrd(d.digest(), d.length());
    }

    /** The Linux initrd event; when a stub section event hashed the same bytes, its SHA-384 is reused (each byte hashed once). */
    private static BootEvent initrdEvent(byte[] initrd, List<StubMeasurements.Measurement> sections, List<BootEvent> sectionEvents) {
        if (initrd == null) return null;
        for (int i = 0; i < sections.size(); i++)
            if (java.util.Arrays.equals(sections.get(i).measured(), initrd)) return TdvfEvents.initrd(sectionEvents.get(i).digest(HashAlg.SHA384), initrd.length);
        return TdvfEvents.initrd(initrd);
    }
}
