#!/bin/sh
# policy.sh OUT EXPECTED_JSON RESOURCE [MRTD]: the broker policy for RESOURCE, pinning the MRTD and every
# RTMR the measure.tdx prediction computed (MRTD, when given and not empty, replaces the predicted one:
# the refusal demonstration). It trusts SIMULATED quotes: this machine has no TDX.
set -eu
out=$1 expected=$2 resource=$3 mrtd=${4:-}
jq --arg r "$resource" --arg mrtd "$mrtd" '
  {tdx: {trust_simulated: true},
   resources: {($r): ({tee: "tdx", mrtd: (if $mrtd == "" then .mrtd else $mrtd end), allow_debug: false, tcb_status: ["UpToDate"]}
                      + ({rtmr0: .rtmr0, rtmr1: .rtmr1, rtmr2: .rtmr2, rtmr3: .rtmr3} | with_entries(select(.value != null))))}}
' "$expected" > "$out"
