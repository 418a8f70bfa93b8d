package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.event.EventLog;
import dev.sealwright.uefi.UefiConfig;

/**
 * What a vTPM PCR prediction needs: the UKI OVMF boots from the ESP, the Secure Boot variables the
 * VM starts with (from its OVMF_VARS file or a uefi-config.json), whether Secure Boot is enforced,
 * and optionally a TPM event log captured from a boot of the same firmware and VM configuration,
 * whose PCR 0, 1 and 5 events are taken as they are (they cannot be computed from files; see docs).
 */
public record VtpmInputs(byte[] uki, String ukiName, UefiConfig variables, String variablesSource, boolean secureBoot,
                         EventLog referenceLog, String referenceLogName) {}
