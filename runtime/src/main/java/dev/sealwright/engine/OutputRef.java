package dev.sealwright.engine;

/** A declared output of another step; referring to one makes that step a dependency. */
public record OutputRef(String step, String output) implements Input {
    @Override
    public String describe() {
        return step + "." + output;
    }
}
