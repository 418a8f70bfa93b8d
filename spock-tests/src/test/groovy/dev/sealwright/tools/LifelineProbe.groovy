package dev.sealwright.tools

import java.nio.file.Files

/** Run in its own JVM by LifelineSpec: starts `sleep` as a service, prints its pid, then waits to be killed. */
class LifelineProbe {
    static void main(String[] args) {
        def dir = Files.createTempDirectory('lifeline-probe')
        Process p = new Tools().exec('sleep', '600').start(dir.resolve('out'), dir.resolve('err'))
        ProcessHandle child = null
        while (child == null) {
            child = p.descendants().findFirst().orElse(null)
            if (child == null) Thread.sleep(20)
        }
        println "service-pid ${child.pid()}"
        System.out.flush()
        Thread.sleep(600_000)
    }
}
