package dev.sealwright.attest.publish;

import dev.sealwright.engine.OptionChecks;
import dev.sealwright.engine.OptionSpec;
import dev.sealwright.engine.OutputSpec;
import dev.sealwright.base.RecipeException;
import dev.sealwright.engine.StepContext;
import dev.sealwright.engine.StepKind;
import dev.sealwright.engine.StepType;

import java.util.List;

/**
 * {@code rpcEndpoint { }}: a SERVICE step running the {@link JsonRpcTestEndpoint} (SIMULATED, loopback
 * only) while the steps using its {@code url} run; closed after them, on failure or Ctrl-C.
 */
public final class JsonRpcEndpointStep implements StepType {
    @Override public String name() { return "rpc.endpoint"; }
    @Override public int version() { return 1; }
    @Override public StepKind kind() { return StepKind.SERVICE; }
    @Override public String description() { return "SIMULATED local HTTP JSON-RPC endpoint that accepts published quotes"; }

    @Override
    public List<OptionSpec> options() {
        return List.of(OptionSpec.optional("port", Long.class, 0L, "port on 127.0.0.1 (0: any free port)").checked(OptionChecks.port()));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.value("url", "http://127.0.0.1:PORT/"));
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        long port = ctx.number("port");
        if (port < 0 || port > 65535) throw new RecipeException("rpc.endpoint: port " + port + " is not in 0..65535");
        JsonRpcTestEndpoint endpoint = JsonRpcTestEndpoint.start((int) port);
        ctx.keepAlive(endpoint);
        ctx.value("url", endpoint.url());
        ctx.log(JsonRpcTestEndpoint.LABEL + " listening on " + endpoint.url() + " (method " + JsonRpcTestEndpoint.METHOD + ")");
    }
}
