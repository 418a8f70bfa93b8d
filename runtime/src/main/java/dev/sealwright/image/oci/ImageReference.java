package dev.sealwright.image.oci;

import dev.sealwright.base.RecipeException;

import java.nio.file.Path;

/**
 * Where a container image comes from, in skopeo's transport syntax: {@code oci:DIR[:TAG]},
 * {@code docker-archive:FILE}, {@code dir:DIR} (a plain root filesystem) or {@code docker-daemon:NAME}.
 */
public record ImageReference(Transport transport, String location, String tag) {
    public enum Transport { OCI, DOCKER_ARCHIVE, DIR, DOCKER_DAEMON }

    public static ImageReference parse(String ref) {
        int colon = ref.indexOf(':');
        if (colon < 0) throw new RecipeException("image '" + ref + "': expected oci:DIR[:TAG], docker-archive:FILE, dir:DIR or docker-daemon:NAME");
        String scheme = ref.substring(0, colon), rest = ref.substring(colon + 1);
        if (rest.isEmpty()) throw new RecipeException("image '" + ref + "': missing location after '" + scheme + ":'");
        return switch (scheme) {
            case "oci" -> {
                int t = rest.lastIndexOf(':');
                yield t > 0 ? new ImageReference(Transport.OCI, rest.substring(0, t), rest.substring(t + 1))
                        : new ImageReference(Transport.OCI, rest, null);
            }
            case "docker-archive" -> new ImageReference(Transport.DOCKER_ARCHIVE, rest, null);
            case "dir" -> new ImageReference(Transport.DIR, rest, null);
            case "docker-daemon" -> new ImageReference(Transport.DOCKER_DAEMON, rest, null);
            default -> throw new RecipeException("image '" + ref + "': unknown transport '" + scheme
                    + "' (expected oci, docker-archive, dir or docker-daemon)");
        };
    }

    public Path path() { return Path.of(location); }

    @Override public String toString() {
        String s = switch (transport) { case OCI -> "oci"; case DOCKER_ARCHIVE -> "docker-archive"; case DIR -> "dir"; case DOCKER_DAEMON -> "docker-daemon"; };
        return s + ":" + location + (tag == null ? "" : ":" + tag);
    }
}
