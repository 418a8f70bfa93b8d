package dev.sealwright;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts about this build of sealwright. */
public final class Sealwright {
    private static final String VERSION = loadVersion();

    private Sealwright() {}

    public static String version() {
        return VERSION;
    }

    private static String loadVersion() {
        try (InputStream in = Sealwright.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
