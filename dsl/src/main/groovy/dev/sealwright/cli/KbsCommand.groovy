package dev.sealwright.cli

import dev.sealwright.kbs.AuditLog
import dev.sealwright.kbs.HttpFront
import dev.sealwright.kbs.KbsService
import dev.sealwright.kbs.KbsKek
import dev.sealwright.kbs.SimulatedQuoteService
import dev.sealwright.attest.sim.TdxQuoteSimulation
import groovy.transform.CompileStatic
import picocli.CommandLine
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable
import java.util.concurrent.CountDownLatch

@CompileStatic
@Command(name = 'kbs', mixinStandardHelpOptions = true,
        description = ['Attestation-gated key broker: releases a secret only to a TEE whose quote verifies and meets the policy (docs/kbs.md).'],
        subcommands = [KbsCommand.Serve, KbsCommand.SimulateQuotes])
class KbsCommand {

    /** Starts a listener; a busy or unusable address is one line naming it and the options that chose it. */
    /** Blocks until Ctrl-C, then closes {@code service}. */
    static void serveUntilInterrupted(AutoCloseable service) {
        def stop = new CountDownLatch(1)
        Runtime.runtime.addShutdownHook(new Thread({ service.close(); stop.countDown() } as Runnable))
        stop.await()
    }

    @Command(name = 'serve', mixinStandardHelpOptions = true, description = 'run the broker until Ctrl-C')
    static class Serve implements Callable<Integer> {
        @Option(names = '--policy', required = true, paramLabel = 'policy.json', description = 'verification settings and per-resource expectations')
        Path policy

        @Option(names = '--secrets', paramLabel = 'secrets.json', description = 'resource → secret (mode 0600, cczoo secret.json format); with --store: sealed into the store, optional once there')
        Path secrets

        @Option(names = '--store', paramLabel = 'h2:PATH|JDBC-URL', description = 'keep nonces, audit, secrets and policy version in this database (h2:PATH embedded, or jdbc:postgresql://… shared by replicas; a password goes in ~/.pgpass or --store-file, never here); default: in memory only')
        String store

        @Option(names = '--store-file', paramLabel = 'FILE', description = 'read the --store URL from FILE ("-" = stdin), e.g. a JDBC URL with its password: a secret is never taken on argv')
        Path storeFile

        @Option(names = '--kek-file', paramLabel = 'FILE', description = 'key-encryption key for --store secrets: 64 hex digits, mode 0600 (or set $' + KbsKek.ENV + ')')
        Path kekFile

        @Option(names = '--replica', paramLabel = 'NAME', description = 'this replica\'s name in the store (default: host:pid)')
        String replica

        @Option(names = '--collateral', paramLabel = 'C.json', description = 'TDX collateral replacing the policy\'s tdx.collateral')
        Path collateral

        @Option(names = '--port', paramLabel = 'PORT', description = 'TCP port (default ${DEFAULT-VALUE}; 0 picks a free one)')
        int port = KbsService.DEFAULT_PORT

        @Option(names = '--bind', paramLabel = 'ADDRESS', description = 'address to listen on (default ${DEFAULT-VALUE})')
        String bind = KbsService.DEFAULT_BIND

        @Option(names = '--tls-cert', paramLabel = 'CERT.pem', description = 'serve HTTPS with this certificate chain (needs --tls-key)')
        Path tlsCert

        @Option(names = '--tls-key', paramLabel = 'KEY.pem', description = 'unencrypted PEM private key for --tls-cert')
        Path tlsKey

        @Option(names = '--audit-log', paramLabel = 'FILE', description = 'append one JSON line per grant/refusal here (default: stderr)')
        Path auditLog

        @Option(names = '--header-timeout', paramLabel = 'SECONDS', description = 'a request\'s line and headers must arrive within this (default ${DEFAULT-VALUE}; also the idle keep-alive and TLS handshake limit)')
        int headerTimeout = HttpFront.Limits.DEFAULT.headerTimeout().seconds as int

        @Option(names = '--body-timeout', paramLabel = 'SECONDS', description = 'a request\'s body must arrive within this after its headers (default ${DEFAULT-VALUE})')
        int bodyTimeout = HttpFront.Limits.DEFAULT.bodyTimeout().seconds as int

        @Option(names = '--max-connections-per-address', paramLabel = 'N', description = 'open connections one client address may hold (default ${DEFAULT-VALUE}; guests behind QEMU user networking share the host\'s address)')
        int perAddress = HttpFront.Limits.DEFAULT.connectionsPerAddress()

        @Option(names = '--max-connections', paramLabel = 'N', description = 'open connections in all (default ${DEFAULT-VALUE})')
        int connections = HttpFront.Limits.DEFAULT.connections()

        @Override
        Integer call() {
            if ((tlsCert == null) != (tlsKey == null)) throw new UsageException('--tls-cert and --tls-key go together')
            if (port < 0 || port > 65535) throw new UsageException("kbs serve: --port ${port} is not a TCP port (0-65535)".toString())
            [('--header-timeout'): headerTimeout, ('--body-timeout'): bodyTimeout,
             ('--max-connections-per-address'): perAddress, ('--max-connections'): connections].each { String o, Integer v ->
                if (v < 1) throw new UsageException("kbs serve: ${o} ${v} must be at least 1".toString())
            }
            def limits = new HttpFront.Limits(Duration.ofSeconds(headerTimeout), Duration.ofSeconds(bodyTimeout), perAddress, connections)
            if (store != null && storeFile != null) throw new UsageException('kbs serve: give --store or --store-file, not both')
            if (store != null && store =~ /(?i)[?&;]password=/)
                throw new UsageException('kbs serve: --store would put the database password on the command line: give the URL with --store-file FILE ("-" = stdin), or the password in ~/.pgpass')
            if (storeFile != null) store = new String(LuksCommand.readKeyFile(storeFile), 'UTF-8').strip()
            if (store == null && secrets == null) throw new UsageException('kbs serve: --secrets is required without --store')
            if (store == null && kekFile != null) throw new UsageException('kbs serve: --kek-file goes with --store')
            byte[] kek = null
            if (store != null) {
                kek = kekFile != null ? KbsKek.fromFile(kekFile) : KbsKek.fromEnvironment()
                if (kek == null) throw new UsageException("kbs serve: --store needs a key-encryption key: --kek-file FILE or \$${KbsKek.ENV}".toString())
            }
            def service = KbsService.start(new KbsService.Request(policy, collateral, secrets, store, kek, replica, bind, port, tlsCert, tlsKey,
                    auditLog == null ? AuditLog.to(System.err) : AuditLog.toFile(auditLog), limits))
            def server = service.server()
            def p = service.policy()
            def db = service.store()
            if (p.tdx()?.trustSimulated()) {
                System.err.println 'SIMULATED: this policy trusts the SIMULATED test root (tdx.trust_simulated): quotes need no TEE hardware; development only'
            }
            println "kbs: listening on ${server.url()} (resources: ${p.resources().keySet().sort().join(', ')}; nonce lifetime ${p.nonceTtl().seconds} s)"
            System.out.flush()
            if (db != null) {
                println "kbs: store ${db.describe()} (replica ${db.replica()}, policy version ${server.policyVersion()}, key-encryption key ${db.kekId()})"
                System.out.flush()
            }
            serveUntilInterrupted(service)
            return Main.OK
        }
    }


    @Command(name = 'simulate-quotes', mixinStandardHelpOptions = true,
            description = ['SIMULATED quote service for machines without TDX: guests POST REPORTDATA (128 hex digits) to /sim/v0/quote',
                    'and get a TDX quote signed by a fresh test PKI (not Intel); writes the matching collateral for the broker policy.'])
    static class SimulateQuotes implements Callable<Integer> {
        @Option(names = '--collateral-out', required = true, paramLabel = 'C.json', description = 'collateral of the SIMULATED PKI (policy tdx.collateral)')
        Path collateralOut

        @Mixin
        ForceOption overwrite

        @Option(names = '--port', paramLabel = 'PORT', description = 'TCP port (default ${DEFAULT-VALUE})')
        int port = SimulatedQuoteService.DEFAULT_PORT

        @Option(names = '--bind', paramLabel = 'ADDRESS', description = 'address to listen on (default ${DEFAULT-VALUE})')
        String bind = SimulatedQuoteService.DEFAULT_BIND

        @Option(names = '--mrtd', paramLabel = 'HEX', description = 'MRTD the quotes carry (48 bytes; default zeros)')
        String mrtd

        @Option(names = '--rtmr', paramLabel = 'N=HEX', description = 'RTMR N the quotes carry (repeatable)')
        Map<Integer, String> rtmrs = [:]

        @Option(names = '--debug-td', description = 'quotes say the TD has DEBUG set (to see the broker refuse)')
        boolean debugTd

        @Override
        Integer call() {
            overwrite.refuseExisting(collateralOut)
            def request = new TdxQuoteSimulation.Request(null, register('--mrtd', mrtd), (0..3).collect { int i -> register("--rtmr ${i}", rtmrs[i]) } as byte[][], null)
            def service = SimulatedQuoteService.start(new InetSocketAddress(bind, port), request.mrtd(), request.rtmrs(), debugTd)
            service.collateral().writeQvlJson(collateralOut)
            println "SIMULATED quote service: ${service.url()} (collateral ${collateralOut}; not a TEE, development only)"
            System.out.flush()
            serveUntilInterrupted(service)
            return Main.OK
        }

        /** A 48-byte register (null when not given: zeros). */
        private static byte[] register(String option, String hex) {
            byte[] b = QuoteSimulateCommand.hex(option, hex, 48)
            if (b != null && b.length != 48) throw new UsageException("${option}: ${b.length} bytes, expected 48")
            return b
        }
    }
}
