package dev.sealwright.vm;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.sealwright.base.RecipeException;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine a VM runs on: QEMU machine type and options, {@code -global} properties and every PCI
 * device with its address and boot index. With it, a launch places each device where the
 * prediction (ACPI tables, boot variables) assumes it is.
 *
 * @param machine        machine type, e.g. {@code pc-q35-8.2}
 * @param machineOptions the options after the type, in order
 * @param globals        {@code -global} properties
 * @param devices        PCI devices, root ports before the devices behind them
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MachineTopology(String machine, List<String> machineOptions, List<String> globals, List<PciDevice> devices) {

    public MachineTopology {
        if (machine == null || machine.isBlank()) throw new RecipeException("vm: topology needs a machine type");
        machineOptions = machineOptions == null ? List.of() : List.copyOf(machineOptions);
        globals = globals == null ? List.of() : List.copyOf(globals);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /**
     * The TD shape of profile ubuntu-24.04: the libvirt domain quex-tech/td-report-web's app.mjs writes
     * (QEMU 8.2 on Ubuntu 24.04): no USB, vmport, HPET, i8042, SMBus or SATA; split irqchip; ACPI PCI
     * hotplug of bridges off; one virtio-net at 00:01.0; each virtio disk behind its own pcie-root-port
     * at 00:02.0, 00:02.1, ... (libvirt's order, the first one multifunction), plus one spare root port;
     * disk 0 boots first. No memballoon, no serial port on the PCI/LPC side.
     */
    public static MachineTopology ubuntu2404Td(int disks) {
        if (disks < 0 || disks > 8) throw new RecipeException("vm: disks " + disks + " is not in 0..8 for the ubuntu-24.04 TD shape");
        List<PciDevice> d = new ArrayList<>();
        d.add(new PciDevice(PciDevice.Kind.VIRTIO_NET, "net0", PciDevice.ROOT_BUS, 1, 0, null, 0));
        int ports = disks == 0 ? 0 : disks + 1;
        for (int i = 0; i < ports; i++)
            d.add(new PciDevice(PciDevice.Kind.ROOT_PORT, "pci." + (i + 1), PciDevice.ROOT_BUS, 2 + i / 8, i % 8, null, -1));
        for (int i = 0; i < disks; i++)
            d.add(new PciDevice(PciDevice.Kind.VIRTIO_BLK, "virtio-disk" + i, "pci." + (i + 1), 0, 0, i == 0 ? 1 : null, i));
        return new MachineTopology("pc-q35-8.2",
                List.of("usb=off", "vmport=off", "kernel_irqchip=split", "dump-guest-core=off", "hpet=off", "i8042=off", "smbus=off", "sata=off"),
                List.of("ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"), d);
    }

    /** The named shapes {@link #named} knows. */
    public static final List<String> NAMES = List.of("ubuntu-24.04");

    /** A named device topology with {@code disks} virtio disks: {@code ubuntu-24.04}, the TD shape of that profile ({@link #ubuntu2404Td}). */
    public static MachineTopology named(String name, int disks) {
        if (name.equals("ubuntu-24.04")) return ubuntu2404Td(disks);
        throw new RecipeException("vm: unknown topology '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }

    /** The {@code -machine} value: type, options, then {@code extra} (e.g. confidential-guest-support=tdx). */
    public String machineArg(String... extra) {
        List<String> parts = new ArrayList<>();
        parts.add(machine);
        parts.addAll(machineOptions);
        for (String e : extra) if (!machineOptions.stream().anyMatch(o -> o.startsWith(e.substring(0, e.indexOf('=') + 1)))) parts.add(e);
        return String.join(",", parts);
    }

    /** Devices of one kind, in order. */
    public List<PciDevice> of(PciDevice.Kind kind) {
        return devices.stream().filter(d -> d.kind() == kind).toList();
    }

    /** The {@code -global} and root-port {@code -device} arguments. */
    List<String> baseArgs() {
        List<String> a = new ArrayList<>();
        for (String g : globals) a.addAll(List.of("-global", g));
        List<PciDevice> ports = of(PciDevice.Kind.ROOT_PORT);
        for (int i = 0; i < ports.size(); i++)   // libvirt numbers root ports from port 0x10, chassis 1
            a.addAll(List.of("-device", "pcie-root-port,port=" + (0x10 + i) + ",chassis=" + (i + 1) + ",id=" + ports.get(i).id() + placement(ports.get(i))));
        return a;
    }

    /** Placement properties of the device of {@code kind} for the VM's n-th disk/NIC, or "" when the topology has none. */
    String placementOf(PciDevice.Kind kind, int index) {
        for (PciDevice d : of(kind)) if (d.index() == index) return ",id=" + d.id() + placement(d);
        return "";
    }

    private String placement(PciDevice d) {
        boolean multi = d.function() == 0 && devices.stream().anyMatch(o -> o != d && o.bus().equals(d.bus()) && o.slot() == d.slot() && o.function() != 0);
        return d.placement(multi);
    }

    /** Virtio disks in the topology. */
    @JsonIgnore
    public int disks() {
        return of(PciDevice.Kind.VIRTIO_BLK).size();
    }

    /** True if this is {@link #ubuntu2404Td(int)} for its disk count (the shape whose ACPI tables are modelled). */
    @JsonIgnore
    public boolean isUbuntu2404Td() {
        return disks() <= 8 && equals(ubuntu2404Td(disks()));
    }
}
