package dev.sealwright.vm;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sealwright.base.RecipeException;
import dev.sealwright.base.BadValueException;
import dev.sealwright.base.OneLine;

/**
 * A TCP port of the guest reachable on the host's loopback interface (QEMU user networking hostfwd).
 * Host port 0 ({@code "auto:GUEST"}) means any free port, chosen when the VM is launched
 * ({@link VmSpec#withFreeHostPorts()}) and recorded in the launch's vm.json for the steps that connect.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PortForward(int hostPort, int guestPort) {
    public static final int AUTO = 0;

    public PortForward {
        if (hostPort != AUTO) check(hostPort, "host");
        check(guestPort, "guest");
    }

    public boolean auto() { return hostPort == AUTO; }

    private static void check(int port, String side) {
        if (port < 1 || port > 65535) throw new BadValueException("forward", "forward: " + side + " port " + port + " is not in 1..65535");
    }

    /** {@code "HOSTPORT:GUESTPORT"}, {@code "auto:GUESTPORT"}, or a single port used on both sides. */
    public static PortForward parse(String s) {
        String[] parts = s.strip().split(":", -1);
        try {
            if (parts.length == 1) return new PortForward(Integer.parseInt(parts[0]), Integer.parseInt(parts[0]));
            if (parts.length == 2 && parts[0].equals("auto")) return new PortForward(AUTO, Integer.parseInt(parts[1]));
            if (parts.length == 2 && !parts[0].equals("0")) return new PortForward(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            // fall through to the one-line error below
        }
        throw new BadValueException("forward", "forward '" + OneLine.of(s) + "' is not HOSTPORT:GUESTPORT or auto:GUESTPORT (e.g. 2222:22)");
    }

    /** The QEMU {@code -netdev user} hostfwd rule, bound to 127.0.0.1 only. */
    public String hostfwd() {
        if (auto()) throw new IllegalStateException("forward " + this + ": host port not chosen yet");
        return "hostfwd=tcp:127.0.0.1:" + hostPort + "-:" + guestPort;
    }

    @Override
    public String toString() {
        return (auto() ? "auto" : String.valueOf(hostPort)) + ":" + guestPort;
    }
}
