package dev.sealwright.vm;

/**
 * The two TDX command-line dialects of QEMU. A QEMU version names its dialect ({@link QemuVersion#tdxDialect()}),
 * and a host-stack profile ({@code measure.tdx.TdxProfile}) names its QEMU version, so a profile's launch line
 * and its prediction are of the same host.
 */
public enum TdxDialect {
    /**
     * QEMU &lt; 9 (the Ubuntu 24.04 stack's 8.2), as canonical/tdx {@code guest-tools/run_td.sh} (commit 6ad4df9):
     * {@code -object} tdx-guest JSON, {@code -machine ...,kernel_irqchip=split,confidential-guest-support=tdx,hpet=off}.
     */
    CANONICAL_8_2,
    /**
     * QEMU &gt;= 9 (Ubuntu 25.04's 9.2, upstream 10.1+), as canonical/tdx {@code guest-tools/run_td} (commit 325b233)
     * and QEMU {@code docs/system/i386/tdx.rst}: plus {@code -object memory-backend-ram} linked by {@code memory-backend=}.
     */
    UPSTREAM
}
