/**
 * The buffers lab: four ways to read a file in chunks, from two copies per byte down to none.
 *
 * <p>Start at {@link dev.streamlab.buffer.ChunkReader}. Run {@code ./lab notebook 1} to poke at slices,
 * duplicates, heap, direct and mapped buffers, and {@code ./lab bench buffers} to measure what each copy costs.
 */
package dev.streamlab.buffer;
