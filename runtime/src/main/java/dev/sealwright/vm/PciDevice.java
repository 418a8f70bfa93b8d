package dev.sealwright.vm;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sealwright.base.RecipeException;

/**
 * One PCI device of a VM: what it is, where it sits (root-bus slot and function, or behind the root
 * port with id {@code bus}) and its boot index. Disks and NICs refer to the VM's n-th disk / NIC.
 *
 * @param kind      the QEMU device
 * @param id        QEMU id (root ports: the bus name devices behind them use)
 * @param bus       {@code pcie.0} or a root port's id
 * @param slot      slot on that bus
 * @param function  function in the slot
 * @param bootIndex boot index, or null
 * @param index     which disk / NIC of the VM (-1 for a root port)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PciDevice(Kind kind, String id, String bus, int slot, int function, Integer bootIndex, int index) {

    public enum Kind {
        ROOT_PORT("pcie-root-port"), VIRTIO_BLK("virtio-blk-pci"), VIRTIO_NET("virtio-net-pci");
        public final String qemuDevice;

        Kind(String qemuDevice) {
            this.qemuDevice = qemuDevice;
        }
    }

    public static final String ROOT_BUS = "pcie.0";

    public PciDevice {
        if (kind == null || id == null || bus == null) throw new RecipeException("vm: a PCI device needs a kind, an id and a bus");
        if (slot < 0 || slot > 31 || function < 0 || function > 7)
            throw new RecipeException("vm: PCI device " + id + ": address " + slot + "." + function + " is not in 0..31.0..7");
    }

    /** {@code slot << 16 | function}, as ACPI _ADR. */
    @JsonIgnore
    public int address() {
        return (slot << 16) | function;
    }

    /** The QEMU {@code -device} placement properties: bus, addr (and multifunction for function 0 of a shared slot). */
    String placement(boolean multifunction) {
        StringBuilder s = new StringBuilder(",bus=").append(bus).append(",addr=0x").append(Integer.toHexString(slot));
        if (function != 0) s.append(".0x").append(Integer.toHexString(function));
        if (multifunction) s.append(",multifunction=on");
        if (bootIndex != null) s.append(",bootindex=").append(bootIndex);
        return s.toString();
    }
}
