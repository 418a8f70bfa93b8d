package dev.sealwright.cli

import groovy.transform.CompileStatic
import picocli.CommandLine.Command

import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'vtpm', mixinStandardHelpOptions = true, description = ['Predict vTPM PCRs 0-15 (not implemented in this build).'])
class MeasureVtpmCommand implements Callable<Integer> {
    @Override
    Integer call() {
        System.err.println('not implemented in this build: vTPM PCR prediction (measure vtpm); eventlog replay --kind tpm replays a real TPM log')
        Main.FAILED
    }
}
