package dev.sealwright.enroll.quex

import dev.sealwright.base.RecipeException
import dev.sealwright.testkit.Repo
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Expected registers from a measure.tdx prediction or hex values, checked against the quex-pack report.dat. */
class ExpectedMeasurementsSpec extends Specification {
    @TempDir
    Path dir

    TdReport fixture = TdReport.parse(Files.readAllBytes(Repo.fixture('quex/quex-pack/report.dat')), 'report.dat')

    def "a prediction with an unpredicted register checks the rest and keeps the reason"() {
        given:
        def json = dir.resolve('expected.json')
        Files.writeString(json, '''{"mrtd": "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7",
            "rtmr0": null, "rtmr1": null, "rtmr2": null, "rtmr3": "''' + '00' * 48 + '''", "missing": {"rtmr0": ["ACPI tables"]}}''')

        when:
        def e = ExpectedMeasurements.fromPrediction(json, [:])
        e.require(fixture, 'td')

        then:
        notThrown(RecipeException)
        e.compare(fixture)*.matches() == [true, true, true, true, true]
        e.unpredicted() == ['rtmr0: ACPI tables', 'rtmr1: not given', 'rtmr2: not given']
        e.describe(fixture).registers*.result == ['match', 'not checked', 'not checked', 'not checked', 'match']
    }

    def "a hex override wins over the prediction and the first mismatch is named"() {
        given:
        def json = dir.resolve('expected.json')
        Files.writeString(json, '{"mrtd": "' + '11' * 48 + '", "rtmr0": "' + '22' * 48 + '"}')

        when:
        ExpectedMeasurements.fromPrediction(json, [mrtd: '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7'])
                .require(fixture, 'td')

        then:
        def ex = thrown(RecipeException)
        ex.message == "td: the TD reports RTMR0 ae2f7878f398f756d181aebe8c0199d07d55369e1260d6dc358c240af99a22e4f3133d5d3e29e11d6a5ea7c1c348122f, expected ${'22' * 48}; refusing to send a key"
    }

    def "malformed input is a one-line error naming the file or option"() {
        given:
        def json = dir.resolve('bad.json')
        Files.writeString(json, '{"rtmr1": "abc"}')

        when:
        ExpectedMeasurements.fromPrediction(json, [:])

        then:
        def ex = thrown(RecipeException)
        ex.message == "${json}: not a measure.tdx prediction (no mrtd)"

        when:
        ExpectedMeasurements.fromPrediction(null, [rtmr1: 'xyz'])

        then:
        def ex2 = thrown(RecipeException)
        ex2.message == 'rtmr1 option is not 96 hex digits (a SHA-384 register): xyz'
    }
}
