package dev.sealwright.cli;

import dev.sealwright.measure.tdx.TdxProfile;

import java.util.Iterator;

/** TDX host-stack profiles, for {@code measure tdx --profile} (a picocli completion candidate, see {@code Completions}). */
public class TdxProfileNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return TdxProfile.ALL.stream().map(TdxProfile::name).iterator();
    }
}
