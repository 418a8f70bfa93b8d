package dev.sealwright.measure.acpi;

import static dev.sealwright.measure.acpi.Aml.*;

import java.util.ArrayList;
import java.util.List;

/**
 * The DSDT of QEMU's q35 build ({@code hw/i386/acpi-build.c build_dsdt}) for the modelled machine, in
 * QEMU's order: debug port, PCI0 host bridge (_OSC, EDSM, DRAM controller), PIC mode, the PCI
 * interrupt routing (PRTP/PRTA, LNKA..H, GSIA..H), CPU hotplug (PRES, CPUS, \_GPE._E02), PCI0 _CRS
 * and GPE0, _S5, fw_cfg, then the devices of the root bus and the LPC bridge.
 */
final class Q35Dsdt {
    private Q35Dsdt() {}

    /** PCIEXBAR window: 256 buses. */
    static final long MMCONFIG_SIZE = 0x1000_0000L;
    private static final String PRES = "\\_SB.PCI0.PRES.";
    /** The interrupt routing depends only on the trigger mode of the links: built once per mode. */
    private static final byte[] ROUTING_EDGE = routing(true), ROUTING_LEVEL = routing(false);

    static byte[] build(AcpiMachine m, QemuAcpiModel v) {
        byte[] aml = cat(debug(), scope("_SB", hostBridge(v)), nameDecl("PICF", integer(0)),
                method("_PIC", 1, false, store(ARG0, name("PICF"))),
                scope("_SB", v.edgeLinks() ? ROUTING_EDGE : ROUTING_LEVEL), scope("_GPE", nameDecl("_HID", string("ACPI0006"))),
                scope("_SB", cpuHotplugResources(), cpus(m.cpus(), v.cpuEjectList())),
                method("\\_GPE._E02", 0, false, call("\\_SB.CPUS.CSCN")),
                scope("\\_SB.PCI0", nameDecl("_CRS", pciCrs(m, v)), gpe0()),
                scope("\\", v.sleepStates() ? nameDecl("_S3", packageOf(4, integer(1), integer(1), integer(0), integer(0))) : NONE,
                        v.sleepStates() ? nameDecl("_S4", packageOf(4, integer(2), integer(2), integer(0), integer(0))) : NONE,
                        nameDecl("_S5", packageOf(4, integer(0), integer(0), integer(0), integer(0)))),
                scope("\\_SB.PCI0", device("FWCF", nameDecl("_HID", string("QEMU0002")), nameDecl("_STA", integer(0x0b)),
                        nameDecl("_CRS", Resources.template(Resources.io(0x510, 0x510, 1, 0x0c))))),
                scope("\\_SB", scope("PCI0", rootBus(m, v))));
        return AcpiTable.table("DSDT", 1, aml);
    }

    private static byte[] debug() {
        return scope("\\", operationRegion("DBG", RegionSpace.SYSTEM_IO, 0x402, 1),
                fieldList("DBG", Access.BYTE, Update.PRESERVE, field("DBGB", 8)),
                method("DBUG", 1, false, toHexString(ARG0, LOCAL0), toBuffer(LOCAL0, LOCAL0),
                        subtract(sizeOf(LOCAL0), integer(1), LOCAL1), store(integer(0), LOCAL2),
                        whileDo(less(LOCAL2, LOCAL1), store(derefOf(index(LOCAL0, LOCAL2)), name("DBGB")), increment(LOCAL2)),
                        store(integer(0x0a), name("DBGB"))));
    }

    private static byte[] hostBridge(QemuAcpiModel v) {
        byte[] osc = method("_OSC", 4, false, createDWordField(ARG3, integer(0), "CDW1"),
                ifThen(equal(ARG0, uuid("33db4d5b-1ff7-401c-9657-7441c03dd766")),
                        createDWordField(ARG3, integer(4), "CDW2"), createDWordField(ARG3, integer(8), "CDW3"),
                        store(name("CDW3"), LOCAL0), and(LOCAL0, integer(v.oscControlMask()), LOCAL0),
                        ifThen(lNot(equal(ARG1, integer(1))), or(name("CDW1"), integer(8), name("CDW1"))),
                        ifThen(lNot(equal(name("CDW3"), LOCAL0)), or(name("CDW1"), integer(0x10), name("CDW1"))),
                        store(LOCAL0, name("CDW3"))),
                orElse(or(name("CDW1"), integer(4), name("CDW1"))),
                ret(ARG3));
        byte[] edsm = method("EDSM", 5, true,
                ifThen(equal(ARG2, integer(0)), store(buffer(bytes(0)), LOCAL0),
                        ifThen(lNot(equal(ARG0, uuid("e5c937d0-3553-4d7a-9117-ea4d19c3434d"))), ret(LOCAL0)),
                        ifThen(less(ARG1, integer(2)), ret(LOCAL0)),
                        store(integer(0x81), index(LOCAL0, integer(0))), ret(LOCAL0)),
                ifThen(equal(ARG2, integer(7)), store(packageOf(2, integer(0), string("")), LOCAL0),
                        store(derefOf(index(ARG4, integer(0))), LOCAL1), store(LOCAL1, index(LOCAL0, integer(0))), ret(LOCAL0)));
        byte[] pci0 = device("PCI0", nameDecl("_HID", eisaId("PNP0A08")), nameDecl("_CID", eisaId("PNP0A03")),
                v.pci0Adr() ? nameDecl("_ADR", integer(0)) : NONE, nameDecl("_UID", integer(0)), osc, v.edsm() ? edsm : NONE);
        byte[] drac = device("DRAC", nameDecl("_HID", string("PNP0C01")),
                nameDecl("_CRS", Resources.template(Resources.dwordMemory(false, v.mmconfigBase(), v.mmconfigBase() + MMCONFIG_SIZE - 1))));
        return cat(pci0, drac);
    }

    /** Link of slot/pin on q35 (build_q35_routing_table): PIRQE..H rotated by slot, A..D for 0x19..0x1D and 0x1F, E..H for 0x1E. */
    private static char link(int slot, int pin) {
        if (slot <= 0x18) return (char) ('E' + (slot + pin) % 4);
        if (slot == 0x1e) return (char) ('E' + pin);
        return (char) ('A' + pin);
    }

    private static byte[] routingTable(String prefix) {
        List<byte[]> entries = new ArrayList<>();
        for (int slot = 0; slot < 0x20; slot++)
            for (int pin = 0; pin < 4; pin++)
                entries.add(packageOf(4, integer(((long) slot << 16) | 0xffff), integer(pin), name(prefix + link(slot, pin)), integer(0)));
        return packageOf(entries.size(), entries.toArray(new byte[0][]));
    }

    private static byte[] routing(boolean edge) {
        List<byte[]> out = new ArrayList<>();
        out.add(scope("PCI0", nameDecl("PRTP", routingTable("LNK")), nameDecl("PRTA", routingTable("GSI")),
                method("_PRT", 0, false, ifThen(equal(name("PICF"), integer(0)), ret(name("PRTP"))), orElse(ret(name("PRTA"))))));
        out.add(method("IQST", 1, false, ifThen(and(integer(0x80), ARG0, null), ret(integer(0x09))), ret(integer(0x0b))));
        out.add(method("IQCR", 1, true, nameDecl("PRR0", Resources.template(Resources.interrupt(edge, 0))),
                createDWordField(name("PRR0"), integer(5), "PRRI"), store(and(ARG0, integer(0x0f), null), name("PRRI")), ret(name("PRR0"))));
        for (int i = 0; i < 8; i++) {
            String prq = "PRQ" + (char) ('A' + i);
            out.add(device("LNK" + (char) ('A' + i), nameDecl("_HID", eisaId("PNP0C0F")), nameDecl("_UID", integer(i)),
                    nameDecl("_PRS", Resources.template(Resources.interrupt(edge, 5, 10, 11))),
                    method("_STA", 0, false, ret(call("IQST", name(prq)))),
                    method("_DIS", 0, false, or(name(prq), integer(0x80), name(prq))),
                    method("_CRS", 0, false, ret(call("IQCR", name(prq)))),
                    method("_SRS", 1, false, createDWordField(ARG0, integer(5), "PRRI"), store(name("PRRI"), name(prq)))));
        }
        for (int i = 0; i < 8; i++) {
            byte[] irq = Resources.template(Resources.interrupt(edge, 0x10 + i));
            out.add(device("GSI" + (char) ('A' + i), nameDecl("_HID", eisaId("PNP0C0F")), nameDecl("_UID", integer(0x10 + i)),
                    nameDecl("_PRS", irq), nameDecl("_CRS", irq), method("_DIS", 0, false), method("_SRS", 1, false)));
        }
        return cat(out);
    }

    private static byte[] cpuHotplugResources() {
        return device("\\_SB.PCI0.PRES", nameDecl("_HID", eisaId("PNP0A06")), nameDecl("_UID", string("CPU Hotplug resources")),
                mutex("CPLK", 0), nameDecl("_CRS", Resources.template(Resources.io(0x0cd8, 0x0cd8, 1, 0x0c))),
                operationRegion("PRST", RegionSpace.SYSTEM_IO, 0x0cd8, 0x0c),
                fieldList("PRST", Access.BYTE, Update.WRITE_AS_ZEROS, reserved(32), field("CPEN", 1), field("CINS", 1),
                        field("CRMV", 1), field("CEJ0", 1), field("CEJF", 1), reserved(3), field("CCMD", 8)),
                fieldList("PRST", Access.DWORD, Update.PRESERVE, field("CSEL", 32), reserved(32), field("CDAT", 32)),
                method("_INI", 0, true, store(integer(0), name("CSEL"))));
    }

    private static byte[] p(String field) {
        return name(PRES + field);
    }

    /**
     * The ACPI CPU hotplug container (hw/acpi/cpu.c build_cpus_aml). With {@code ejectList} (QEMU
     * 10.0: CSCN collects CPUs with a remove event in CEJL and notifies them after the added ones)
     * rather than notifying each one while scanning (7.2 .. 9.2).
     */
    private static byte[] cpus(int n, boolean ejectList) {
        String lock = PRES + "CPLK";
        List<byte[]> ctfy = new ArrayList<>();
        for (int i = 0; i < n; i++) ctfy.add(ifThen(equal(ARG0, integer(i)), Aml.notify(name(cpuName(i)), ARG1)));
        byte[] csta = method("CSTA", 1, true, acquire(lock, 0xffff), store(ARG0, p("CSEL")), store(integer(0), LOCAL0),
                ifThen(equal(p("CPEN"), integer(1)), store(integer(0x0f), LOCAL0)), release(lock), ret(LOCAL0));
        byte[] cej0 = method("CEJ0", 1, true, acquire(lock, 0xffff), store(ARG0, p("CSEL")), store(integer(1), p("CEJ0")), release(lock));
        byte[] scan = whileDo(lAnd(equal(LOCAL0, integer(1)), less(LOCAL3, integer(n))),
                store(integer(0), LOCAL0), store(LOCAL3, p("CSEL")), store(integer(0), p("CCMD")),
                ifThen(less(p("CDAT"), LOCAL3), BREAK),
                ifThen(ejectList ? lOr(equal(LOCAL1, integer(0xff)), equal(LOCAL5, integer(0xff))) : equal(LOCAL1, integer(0xff)),
                        store(integer(1), LOCAL4), BREAK),
                store(p("CDAT"), LOCAL3),
                ifThen(equal(p("CINS"), integer(1)), store(LOCAL3, index(name("CNEW"), LOCAL1)), increment(LOCAL1), store(integer(1), LOCAL0)),
                ejectList
                        ? ifThen(equal(p("CRMV"), integer(1)), store(LOCAL3, index(name("CEJL"), LOCAL5)), increment(LOCAL5), store(integer(1), LOCAL0))
                        : orElse(ifThen(equal(p("CRMV"), integer(1)), call("CTFY", LOCAL3, integer(3)), store(integer(1), p("CRMV")), store(integer(1), LOCAL0))),
                increment(LOCAL3));
        byte[] ejectAll = ejectList
                ? cat(store(integer(0), LOCAL2),
                        whileDo(less(LOCAL2, LOCAL5), store(derefOf(index(name("CEJL"), LOCAL2)), LOCAL3), call("CTFY", LOCAL3, integer(3)),
                                store(LOCAL3, p("CSEL")), store(integer(1), p("CRMV")), increment(LOCAL2)))
                : NONE;
        byte[] cscn = method("CSCN", 0, true, acquire(lock, 0xffff), nameDecl("CNEW", packageOf(0xff)),
                ejectList ? nameDecl("CEJL", packageOf(0xff)) : NONE,
                store(integer(0), LOCAL3), store(integer(1), LOCAL4),
                whileDo(equal(LOCAL4, integer(1)), store(integer(0), LOCAL4), store(integer(1), LOCAL0), store(integer(0), LOCAL1),
                        ejectList ? store(integer(0), LOCAL5) : NONE, scan,
                        store(integer(0), LOCAL2),
                        whileDo(less(LOCAL2, LOCAL1), store(derefOf(index(name("CNEW"), LOCAL2)), LOCAL3), call("CTFY", LOCAL3, integer(1)),
                                store(LOCAL3, DEBUG), store(LOCAL3, p("CSEL")), store(integer(1), p("CINS")), increment(LOCAL2)),
                        ejectAll),
                release(lock));
        byte[] cost = method("COST", 4, true, acquire(lock, 0xffff), store(ARG0, p("CSEL")), store(integer(1), p("CCMD")),
                store(ARG1, p("CDAT")), store(integer(2), p("CCMD")), store(ARG2, p("CDAT")), release(lock));
        List<byte[]> body = new ArrayList<>(List.of(nameDecl("_HID", string("ACPI0010")), nameDecl("_CID", eisaId("PNP0A05")),
                method("CTFY", 2, false, cat(ctfy)), csta, cej0, cscn, cost));
        for (int i = 0; i < n; i++) {
            body.add(processor(cpuName(i), i, method("_STA", 0, true, ret(call("CSTA", integer(i)))),
                    nameDecl("_MAT", buffer(bytes(0, 8, i, i, 1, 0, 0, 0))),
                    i == 0 ? NONE : method("_EJ0", 1, false, call("CEJ0", integer(i))),
                    method("_OST", 3, true, call("COST", integer(i), ARG0, ARG1, ARG2))));
        }
        return device("\\_SB.CPUS", body.toArray(new byte[0][]));
    }

    private static String cpuName(int i) {
        return String.format("C%03X", i);
    }

    private static byte[] pciCrs(AcpiMachine m, QemuAcpiModel v) {
        long w64 = v.pci64Size(m);
        return Resources.template(Resources.wordBusNumber(0, 0xff), Resources.io(0x0cf8, 0x0cf8, 1, 8),
                Resources.wordIo(0, 0x0cf7), Resources.wordIo(0x0d00, 0xffff),
                Resources.dwordMemory(true, 0xa0000, 0xbffff),
                Resources.dwordMemory(false, m.belowFourGiB(), v.mmconfigBase() - 1),
                Resources.dwordMemory(false, v.mmconfigBase() + MMCONFIG_SIZE, 0xfebf_ffffL),
                Resources.qwordMemory(true, v.pci64Base(), v.pci64Base() + w64 - 1));
    }

    private static byte[] gpe0() {
        return device("GPE0", nameDecl("_HID", string("PNP0A06")), nameDecl("_UID", string("GPE0 resources")),
                nameDecl("_STA", integer(0x0b)), nameDecl("_CRS", Resources.template(Resources.io(0x0620, 0x0620, 1, 0x10))));
    }

    private static String slotName(int address) {
        int devfn = ((address >>> 16) << 3) | (address & 7);
        return String.format("S%02X", devfn);
    }

    private static byte[] rootBus(AcpiMachine m, QemuAcpiModel v) {
        List<byte[]> out = new ArrayList<>();
        out.add(device("S00", nameDecl("_ADR", integer(0))));
        out.add(device("S08", nameDecl("_ADR", integer(0x0001_0000))));
        for (int i = 0; i < m.rootPorts(); i++) {
            int adr = AcpiMachine.rootPortAddress(i);
            if ((adr & 7) != 0 && !v.allFunctions()) continue;
            out.add(i < m.disks() && v.bridgeChildren()
                    ? device(slotName(adr), nameDecl("_ADR", integer(adr)), device("S00", nameDecl("_ADR", integer(0))))
                    : device(slotName(adr), nameDecl("_ADR", integer(adr))));
        }
        out.add(device("SF8", nameDecl("_ADR", integer(0x001f_0000)),
                operationRegion("PIRQ", RegionSpace.PCI_CONFIG, 0x60, 0x0c),
                scope("\\_SB", fieldList("PCI0.SF8.PIRQ", Access.BYTE, Update.PRESERVE, field("PRQA", 8), field("PRQB", 8),
                        field("PRQC", 8), field("PRQD", 8), reserved(32), field("PRQE", 8), field("PRQF", 8), field("PRQG", 8), field("PRQH", 8))),
                device("RTC", nameDecl("_HID", eisaId("PNP0B00")),
                        nameDecl("_CRS", Resources.template(Resources.io(0x70, 0x70, 1, 8), Resources.irqNoFlags(8))))));
        return cat(out);
    }
}
