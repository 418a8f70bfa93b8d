package dev.sealwright.cli

import dev.sealwright.enroll.quex.QuexClient
import dev.sealwright.enroll.quex.SimulatedSgxIdentity
import dev.sealwright.base.AtomicFiles
import dev.sealwright.base.InputFiles
import dev.sealwright.base.RecipeException
import dev.sealwright.enroll.quex.SoftwareVault
import dev.sealwright.enroll.quex.TdKeyRequest
import dev.sealwright.enroll.quex.VaultInit
import groovy.transform.CompileStatic
import picocli.CommandLine.Command
import picocli.CommandLine.Mixin
import picocli.CommandLine.Option

import java.nio.file.Path
import java.util.concurrent.Callable

@CompileStatic
@Command(name = 'vault', mixinStandardHelpOptions = true,
        description = ['quex key vault (software stand-in for quex-v1-vault, for development).'],
        subcommands = [VaultCommand.Init, VaultCommand.Respond])
class VaultCommand {

    @Command(name = 'init', mixinStandardHelpOptions = true, description = 'create a new random seed file (0600); never overwrites without --force')
    static class Init implements Callable<Integer> {
        @Option(names = '--seed', required = true, paramLabel = 'FILE', description = 'seed file to create (0600)')
        Path seed

        @Option(names = '--force', description = 'replace an existing seed (every key derived from it is lost)')
        boolean force

        @Option(names = '--sim-identity', paramLabel = 'DIR',
                description = 'also create a SIMULATED SGX identity for the software vault (DIR/sim-root.pem is what a TD must pin)')
        Path simIdentity

        @Override
        Integer call() {
            def r = VaultInit.run(new VaultInit.Request(seed, simIdentity, force ? VaultInit.Existing.REPLACE : VaultInit.Existing.REFUSE))
            println "wrote new vault seed ${seed} (mode 0600)"
            if (simIdentity != null) {
                println "wrote SIMULATED SGX vault identity ${r.identityFile()} (0600) and ${simIdentity}/sim-root.pem; vault MRENCLAVE ${r.mrEnclaveHex()}"
            }
            return Main.OK
        }
    }

    @Command(name = 'respond', mixinStandardHelpOptions = true,
            description = ['answer a TD key request (key_req.dat) with key_msg.dat, as the quex vault file contract does'])
    static class Respond implements Callable<Integer> {
        @Option(names = '--seed', required = true, paramLabel = 'FILE', description = 'the vault seed written by vault init')
        Path seed

        @Option(names = '--request', required = true, paramLabel = 'key_req.dat', description = 'key request written by the TD')
        Path request

        @Option(names = '--out', required = true, paramLabel = 'key_msg.dat', description = 'write the key message for the TD here')
        Path out

        @Option(names = '--quote-out', paramLabel = 'quote.dat', description = 'also write the vault quote (needs --sim-identity)')
        Path quoteOut

        @Mixin
        ForceOption overwrite

        @Option(names = '--sim-identity', paramLabel = 'DIR', description = 'SIMULATED SGX identity that signs quote.dat (vault init --sim-identity)')
        Path simIdentity

        @Override
        Integer call() {
            overwrite.refuseExisting(out, quoteOut)
            def req = TdKeyRequest.decode(InputFiles.read(request,
                    new InputFiles.Bound('a quex key request', TdKeyRequest.SIZE)), request.toString())
            if ((quoteOut == null) != (simIdentity == null)) throw new UsageException('--quote-out and --sim-identity go together')
            def vault = SoftwareVault.fromSeedFile(seed)
            if (quoteOut == null) {
                AtomicFiles.write(out, vault.respond(req).encode())
                println "wrote ${out} (1159 bytes)"
                return Main.OK
            }
            byte[][] answer = QuexClient.software(vault,
                    SimulatedSgxIdentity.load(simIdentity)).answer(req)
            AtomicFiles.write(out, answer[0])
            AtomicFiles.write(quoteOut, answer[1])
            println "wrote ${out} (1159 bytes) and ${quoteOut} (${answer[1].length} bytes, SIMULATED SGX quote committing to it)"
            return Main.OK
        }
    }
}
