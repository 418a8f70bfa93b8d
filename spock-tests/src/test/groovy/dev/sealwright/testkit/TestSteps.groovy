package dev.sealwright.testkit

import dev.sealwright.engine.Input
import dev.sealwright.engine.OptionSpec
import dev.sealwright.engine.OutputSpec
import dev.sealwright.base.RecipeException
import dev.sealwright.base.Secret
import dev.sealwright.engine.StepContext
import dev.sealwright.engine.StepKind
import dev.sealwright.engine.StepType
import dev.sealwright.engine.StepTypes

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger

/**
 * Step types for engine specs. Each execution appends its step name to a journal, so a spec can
 * assert exactly which steps ran; concurrency is tracked to check --jobs.
 */
class TestSteps {
    static final List<String> journal = Collections.synchronizedList([])
    static final AtomicInteger running = new AtomicInteger()
    static final AtomicInteger maxRunning = new AtomicInteger()
    static final Set<Integer> openPorts = ConcurrentHashMap.newKeySet()

    static void install() {
        [new Concat(), new Service(), new Client()].each { StepTypes.register(it) }
        reset()
    }

    static void reset() {
        journal.clear()
        running.set(0)
        maxRunning.set(0)
    }

    /** test.concat: out.txt = text + the content of each input; fails while `failIf` exists. */
    static class Concat implements StepType {
        String name() { 'test.concat' }
        int version() { 1 }
        String description() { 'concatenate text and inputs (tests)' }
        List<OptionSpec> options() {
            [OptionSpec.optional('text', String, '', 'text'),
             OptionSpec.optionalList('inputs', Input, 'files to append'),
             OptionSpec.optional('failIf', String, null, 'fail while this file exists'),
             OptionSpec.optional('sleepMs', Long, 0L, 'sleep before finishing'),
             OptionSpec.optional('awaitRunning', Long, 0L, 'wait until this many test.concat steps have run at once (at most 60 s, then fail)'),
             OptionSpec.optional('token', Secret, null, 'a secret that is logged (to test masking)')]
        }
        List<OutputSpec> outputs() { [OutputSpec.file('out', 'out.txt', 'result')] }

        void execute(StepContext ctx) {
            journal << ctx.step().name()
            int now = running.incrementAndGet()
            maxRunning.accumulateAndGet(now, Math::max)
            try {
                if (ctx.option('token') != null) ctx.log("using token ${new String(ctx.secret('token').reveal())}")
                if (ctx.string('failIf') && Files.exists(Path.of(ctx.string('failIf'))))
                    throw new RecipeException("injected failure (${ctx.string('failIf')} exists)")
                awaitRunning(ctx.number('awaitRunning') as long)
                Thread.sleep(ctx.number('sleepMs'))
                def sb = new StringBuilder(ctx.string('text'))
                ctx.paths('inputs').each { sb << Files.readString(it) }
                Files.writeString(ctx.output('out'), sb.toString())
            } finally {
                running.decrementAndGet()
            }
        }
    }

    /**
     * Holds the step until {@code n} steps have been running at the same time (a rendezvous, not a
     * sleep: on a loaded host a sleeping step can finish before the n-th one starts). A scheduler that
     * never runs n at once fails the step after 60 s instead of passing by chance.
     */
    static void awaitRunning(long n) {
        long end = System.nanoTime() + 60_000_000_000L
        while (maxRunning.get() < n) {
            if (System.nanoTime() > end) throw new RecipeException("only ${maxRunning.get()} of ${n} steps ran at once within 60 s")
            Thread.sleep(5)
        }
    }

    /** test.service: a loopback TCP listener kept open while dependants run. */
    static class Service implements StepType {
        String name() { 'test.service' }
        int version() { 1 }
        StepKind kind() { StepKind.SERVICE }
        String description() { 'loopback listener (tests)' }
        List<OptionSpec> options() { [] }
        List<OutputSpec> outputs() { [OutputSpec.value('port', 'listening port')] }

        void execute(StepContext ctx) {
            journal << ctx.step().name()
            def server = new ServerSocket(0, 50, InetAddress.loopbackAddress)
            int port = server.localPort
            openPorts << port
            Thread.start { while (!server.closed) try { server.accept().close() } catch (IOException ignored) {} }
            ctx.keepAlive({ server.close(); openPorts.remove(port) } as AutoCloseable)
            ctx.value('port', port)
        }
    }

    /** test.client: connects to a test.service port; records whether it was open. */
    static class Client implements StepType {
        String name() { 'test.client' }
        int version() { 1 }
        StepKind kind() { StepKind.LIVE }
        String description() { 'connects to test.service (tests)' }
        List<OptionSpec> options() { [OptionSpec.required('port', Input, 'port value of a test.service')] }
        List<OutputSpec> outputs() { [OutputSpec.file('log', 'client.txt', 'what happened')] }

        void execute(StepContext ctx) {
            int port = (ctx.upstreamValue('port') as Number).intValue()
            new Socket(InetAddress.loopbackAddress, port).close()
            journal << "${ctx.step().name()}:connected:${openPorts.contains(port)}".toString()
            Files.writeString(ctx.output('log'), "connected to ${port}\n")
        }
    }
}
