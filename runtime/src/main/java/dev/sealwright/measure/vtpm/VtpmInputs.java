package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.event.EventLog;
import dev.sealwright.uefi.UefiConfig;

/**
 * What a vTPM PCR prediction needs: the UKI OVMF boots from the ESP, the Secure Boot variables the
 * VM starts with (from its OVMF_VARS file or a uefi-config.json), whether Secure Boot is enforced,
 * optionally the boot disk image (its GPT is measured into PCR 5) and a TPM event log captured from
 * a boot of the same firmware and VM configuration, whose PCR 0 and 1 events (and PCR 5 ones when no
 * boot disk is given) are taken as they are (they cannot be computed from files; see docs).
 */
public record VtpmInputs(byte[] uki, String ukiName, UefiConfig variables, String variablesSource, boolean secureBoot,
                         java.nio.file.Path bootDisk, EventLog referenceLog, String referenceLogName) {}
