package dev.sealwright.cli

import dev.sealwright.testkit.Cli
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Real JVMs killed mid-step: nothing half-written survives, the next run resumes, no child process is orphaned. */
class InterruptSpec extends Specification {
    @TempDir
    Path work

    Path recipe(String marker) {
        Files.createDirectories(work.resolve('data'))
        Files.writeString(work.resolve('data/x.txt'), 'x')
        def r = work.resolve('slow.groovy')
        Files.writeString(r, """
pipeline('slow') {
    params { pause = '${marker}' }
    def sums = digest { from file('data') }
    exec('slow') {
        command 'sh', '-c', 'head -c 3000000 /dev/zero; sleep "\$1"', 'sh', params.pause
        cwd file('data')
    }
}
""")
        r
    }

    boolean waitFor(Closure<Boolean> cond, long seconds = 60) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
        while (System.nanoTime() < end) {
            if (cond()) return true
            Thread.sleep(100)
        }
        false
    }

    List<ProcessHandle> sleepers(String marker) {
        ProcessHandle.allProcesses().filter { it.info().commandLine().orElse('').contains("sleep ${marker}") }.toList()
    }

    def "SIGKILL mid-step leaves no output and no cache entry for that step; the next run resumes"() {
        given:
        String marker = "61.${System.nanoTime() % 1000000}"
        def r = recipe(marker)
        def proc = Cli.start(work, 'run', r.toString())

        expect: 'the slow step has started'
        waitFor { !sleepers(marker).isEmpty() }

        when:
        def children = proc.toHandle().descendants().toList()
        proc.destroyForcibly()
        proc.waitFor(30, TimeUnit.SECONDS)
        children.each { it.destroyForcibly() }

        then:
        !Files.exists(work.resolve('out/slow'))
        Files.exists(work.resolve('out/digest/SHA256SUMS'))
        Files.walk(work.resolve('.sealwright/cache')).filter { it.fileName.toString() == 'entry.json' }
                .map { Files.readString(it) }.noneMatch { it.contains('"step" : "slow"') }

        when: 'the next run (with a short pause) reuses digest and finishes slow'
        def again = Cli.run('run', r.toString(), '-C', work.toString(), '-p', 'pause=0')

        then:
        again.exitCode == 0
        again.out.contains('[digest] cached')
        again.out.contains('1 executed, 1 cached')
        Files.size(work.resolve('out/slow/stdout.txt')) == 3000000
        !Files.list(work.resolve('.sealwright/tmp')).findAny().isPresent()
    }

    def "SIGTERM (as Ctrl-C) cancels the run and kills the step's child processes"() {
        given:
        String marker = "62.${System.nanoTime() % 1000000}"
        def r = recipe(marker)
        def proc = Cli.start(work, 'run', r.toString())

        expect:
        waitFor { !sleepers(marker).isEmpty() }

        when:
        proc.destroy()
        def exited = proc.waitFor(60, TimeUnit.SECONDS)
        def output = Files.readString(work.resolve('cli.log'))

        then:
        exited
        output.contains('interrupted: stopping steps and services')
        waitFor({ sleepers(marker).isEmpty() }, 10)
        !Files.exists(work.resolve('out/slow'))
    }
}
