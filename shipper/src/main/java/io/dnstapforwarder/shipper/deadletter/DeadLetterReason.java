package io.dnstapforwarder.shipper.deadletter;

import java.time.Instant;

/**
 * Why records are dead-lettered.
 *
 * @param reason for humans: HEC's answer, or what failed
 * @param errorCode a short label from a bounded set ({@code hec_6}, {@code undecodable_record})
 * @param firstFailure when delivery first failed
 * @param attempts attempts this failure counts for
 */
public record DeadLetterReason(String reason, String errorCode, Instant firstFailure, int attempts) {
}
