package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.measure.event.UefiGptData;

/** PCR 5 EV_EFI_GPT_EVENT of the boot disk: the digest is over the whole {@link UefiGptData}. */
public final class GptEvent {
    private GptEvent() {}

    public static BootEvent of(byte[] gptData, String source) {
        return TpmBootEvents.measuring(5, EventType.EV_EFI_GPT_EVENT, gptData, gptData, "GPT of " + source + ", " + UefiGptData.partitions(gptData) + " partition(s)");
    }
}
