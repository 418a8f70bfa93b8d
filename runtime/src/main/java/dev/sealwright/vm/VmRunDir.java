package dev.sealwright.vm;

import java.nio.file.Path;

/** Where a launched VM keeps its per-run files: console log, QMP socket, vars copy, swtpm state, ESP disk. */
public record VmRunDir(Path dir) {
    public Path serialLog() { return dir.resolve("serial.log"); }
    public Path qemuLog() { return dir.resolve("qemu.log"); }
    public Path qmpSocket() { return dir.resolve("qmp.sock"); }
    public Path varsCopy() { return dir.resolve("vars.fd"); }
    public Path espImage() { return dir.resolve("esp.img"); }
    public Path tpmStateDir() { return dir.resolve("tpm"); }
    public Path tpmSocket() { return dir.resolve("swtpm.sock"); }
    public Path tpmLog() { return dir.resolve("swtpm.log"); }
}
