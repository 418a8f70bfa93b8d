package dev.sealwright.engine;

import dev.sealwright.base.Json;
import dev.sealwright.base.Secret;
import dev.sealwright.tools.Tools;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Computes {@link StepKey}s: the up-to-date check's view of a step. */
final class StepKeys {
    private final ContentDigests digests;
    private final Tools tools;
    private final byte[] salt;

    StepKeys(ContentDigests digests, Tools tools, byte[] salt) {
        this.digests = digests;
        this.tools = tools;
        this.salt = salt;
    }

    /**
     * @param upstream digest of an upstream output (or canonical JSON of a VALUE output); null when
     *                 that upstream has not produced it yet
     * @return the key, or null when some upstream output is not known yet
     */
    StepKey compute(Step step, Function<OutputRef, String> upstream) {
        StepType type = step.type();
        Map<String, String> comps = new LinkedHashMap<>();
        Map<String, String> display = new LinkedHashMap<>();
        comps.put("type", type.name() + "@" + type.version());
        display.put("type", type.name() + "@" + type.version());
        for (OptionSpec spec : type.options()) {
            Object v = step.options().containsKey(spec.name()) ? step.options().get(spec.name()) : spec.defaultValue();
            if (v == null) continue;
            if (v instanceof Input in && spec.type() == Secret.class) { // a secret made by an upstream step: only its MAC
                String d = digestOf(in, upstream);
                if (d == null) return null;
                comps.put("secret " + spec.name(), mac(d.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                display.put("secret " + spec.name(), "secret(" + in.describe() + ")");
            } else if (v instanceof Input in) {
                String d = digestOf(in, upstream);
                if (d == null) return null;
                comps.put("input " + spec.name(), d);
                display.put("input " + spec.name(), in.describe() + " " + shortDigest(d));
            } else if (v instanceof Secret s) {
                comps.put("secret " + spec.name(), mac(s));
                display.put("secret " + spec.name(), s.toString());
            } else if (v instanceof List<?> l) {
                // inputs inside a list get their own components, so a plan can name the element that changed
                List<Object> shape = new ArrayList<>();
                List<Object> shown = new ArrayList<>();
                Map<String, String> elementComps = new LinkedHashMap<>();
                Map<String, String> elementDisplay = new LinkedHashMap<>();
                for (int i = 0; i < l.size(); i++) {
                    Object o = l.get(i);
                    String element = spec.name() + "[" + i + "]";
                    if (o instanceof Input in) {
                        String d = digestOf(in, upstream);
                        if (d == null) return null;
                        elementComps.put("input " + element, d);
                        elementDisplay.put("input " + element, in.describe() + " " + shortDigest(d));
                        shape.add("<input>");
                        shown.add(in.describe());
                    } else if (o instanceof Secret s) {
                        elementComps.put("secret " + element, mac(s));
                        elementDisplay.put("secret " + element, s.toString());
                        shape.add("<secret>");
                        shown.add(s.toString());
                    } else {
                        shape.add(o);
                        shown.add(o);
                    }
                }
                comps.put("option " + spec.name(), Json.canonical(shape));
                display.put("option " + spec.name(), Json.canonical(shown));
                comps.putAll(elementComps);
                display.putAll(elementDisplay);
            } else if (v instanceof RecordOption r) {
                comps.put("option " + spec.name(), Json.canonical(r.shape()));
                display.put("option " + spec.name(), Json.canonical(r.shape()));
                for (Map.Entry<String, Input> f : r.inputs().entrySet()) {
                    String d = digestOf(f.getValue(), upstream);
                    if (d == null) return null;
                    comps.put("input " + spec.name() + "." + f.getKey(), d);
                    display.put("input " + spec.name() + "." + f.getKey(), f.getValue().describe() + " " + shortDigest(d));
                }
            } else {
                comps.put("option " + spec.name(), Json.canonical(v));
                display.put("option " + spec.name(), Json.canonical(v));
            }
        }
        for (String tool : type.tools(step.options())) {
            String version = tools.locate(tool).isPresent() ? tools.version(tool) : "missing";
            comps.put("tool " + tool, version);
            display.put("tool " + tool, version);
        }
        for (Map.Entry<String, String> f : type.keyFacts(step.options(), tools).entrySet()) {
            comps.put("fact " + f.getKey(), f.getValue());
            display.put("fact " + f.getKey(), f.getValue());
        }
        return StepKey.of(comps, display);
    }

    private String digestOf(Input in, Function<OutputRef, String> upstream) {
        if (in instanceof FileRef f) return digests.of(f.path());
        return upstream.apply((OutputRef) in);
    }

    static String shortDigest(String d) {
        int colon = d.indexOf(':');
        return d.length() > colon + 13 ? d.substring(0, colon + 13) : d;
    }

    private String mac(Secret s) {
        return mac(s.reveal());
    }

    private String mac(byte[] value) {
        return hmac(salt, value);
    }

    /** HMAC-SHA256 keyed by the workspace's secret salt: what stands for a secret in keys, cache entries and reports. */
    static String hmac(byte[] salt, byte[] value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            return "hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(value));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Human lines saying which components differ from the previous run's. */
    static List<String> explain(StepState.Previous prev, StepKey now) {
        List<String> out = new ArrayList<>();
        for (var e : now.components().entrySet()) {
            String before = prev.components().get(e.getKey());
            if (before == null) out.add(e.getKey() + ": new (" + now.display().get(e.getKey()) + ")");
            else if (!before.equals(e.getValue())) {
                if (e.getKey().startsWith("secret ")) out.add(e.getKey() + ": changed");
                else out.add(e.getKey() + ": " + prev.display().getOrDefault(e.getKey(), before) + " -> " + now.display().get(e.getKey()));
            }
        }
        for (String k : prev.components().keySet())
            if (!now.components().containsKey(k)) out.add(k + ": removed");
        return out;
    }
}
