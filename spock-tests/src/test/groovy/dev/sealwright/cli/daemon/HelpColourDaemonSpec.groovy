package dev.sealwright.cli.daemon

import dev.sealwright.testkit.DaemonLauncher
import dev.sealwright.testkit.Repo
import dev.sealwright.testkit.Tmux
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/**
 * Issue 19: help through the CLI daemon has the colours of help from a fresh JVM. Both run through the
 * real launcher on a tmux pseudo-terminal (the daemon has none: the C client tells it what picocli would
 * decide on the caller's terminal); the screens, colours and attributes included, must be the same.
 */
class HelpColourDaemonSpec extends Specification {
    @Shared DaemonLauncher d

    def setupSpec() {
        d = new DaemonLauncher(Files.createTempDirectory('help-colour'), 300)
    }

    def cleanupSpec() {
        d?.close()
    }

    /** The screen (with colour escapes) after `./sealwright ARGS` on a terminal, the daemon on or off. */
    String screen(String daemon, Map<String, String> env, List<String> args) {
        def cmd = ['sh', '-c', '"$@"; echo "exit=$?"; sleep 120', 'sh', Repo.path('sealwright').toString()] + args
        def t = new Tmux(d.caller, cmd, [SEALWRIGHT_BUILD: 'never', SEALWRIGHT_DAEMON: daemon, SEALWRIGHT_DAEMON_DIR: d.daemonDir.toString(),
                                         SEALWRIGHT_DAEMON_IDLE: '300', TERM: 'xterm-256color'] + env, 120, 60)
        try {
            assert t.waitFor('exit=', 120).contains('exit=0')
            t.screenWithEscapes()
        } finally {
            t.close()
        }
    }

    def "#args: on a terminal the daemon's help has the fresh JVM's colours; NO_COLOR makes both plain"() {
        when:
        def fresh = screen('off', [:], args)
        def daemon = screen('on', [:], args)
        def freshNoColour = screen('off', [NO_COLOR: '1'], args)
        def daemonNoColour = screen('on', [NO_COLOR: '1'], args)

        then: 'the daemon answered (it is running) and the help is coloured, as picocli colours it in a fresh JVM on a terminal'
        d.pidFiles().size() == 1
        fresh.contains('\u001b[1m') || fresh.contains('\u001b[33m')
        daemon == fresh

        and: 'NO_COLOR: plain in both, the same text'
        !freshNoColour.contains('\u001b[1m') && !freshNoColour.contains('\u001b[33m')
        daemonNoColour == freshNoColour

        where:
        args << [['uki', 'inspect', '--help'], ['luks']]
    }

    def "piped (no terminal) help is plain through the daemon, as in a fresh JVM"() {
        when:
        def fresh = d.run('off', 'verity', 'format', '--help')
        def daemon = d.run('on', 'verity', 'format', '--help')

        then:
        fresh.code == 0 && daemon.code == 0
        !fresh.out.contains('\u001b[')
        daemon.out == fresh.out
    }
}
