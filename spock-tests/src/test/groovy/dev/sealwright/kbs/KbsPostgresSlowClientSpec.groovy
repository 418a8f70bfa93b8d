package dev.sealwright.kbs

import dev.sealwright.testkit.Postgres
import spock.lang.Shared

/** Every {@link KbsSlowClientSpec} case (stalled peers, deadlines, connection limits) on a real PostgreSQL store. */
class KbsPostgresSlowClientSpec extends KbsSlowClientSpec {
    @Shared Postgres pg
    @Shared int databases

    def setupSpec() {
        pg = new Postgres()
        KbsFixture.storeFactory = { pg.createDatabase("slow${++databases}") }
    }

    def cleanupSpec() {
        KbsFixture.storeFactory = null
        pg?.close()
    }
}
