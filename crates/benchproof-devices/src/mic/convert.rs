//! Any interleaved sample format and channel count → mono `f32` in [-1, 1].
//!
//! Invariant: channels are averaged (so a mono signal copied to every channel comes out
//! unchanged), and integer formats are scaled by `cpal`'s own sample conversions.

use cpal::{FromSample, Sample, SampleFormat, I24, U24};

/// Mixes interleaved `data` down to mono and appends it to `out`. Returns the format back when
/// it is one `cpal` added after this code was written.
pub(crate) fn to_mono(data: &cpal::Data, channels: usize, out: &mut Vec<f32>) -> Result<(), SampleFormat> {
    let format = data.sample_format();
    match format {
        SampleFormat::I8 => mix(data.as_slice::<i8>(), channels, out),
        SampleFormat::I16 => mix(data.as_slice::<i16>(), channels, out),
        SampleFormat::I24 => mix(data.as_slice::<I24>(), channels, out),
        SampleFormat::I32 => mix(data.as_slice::<i32>(), channels, out),
        SampleFormat::I64 => mix(data.as_slice::<i64>(), channels, out),
        SampleFormat::U8 => mix(data.as_slice::<u8>(), channels, out),
        SampleFormat::U16 => mix(data.as_slice::<u16>(), channels, out),
        SampleFormat::U24 => mix(data.as_slice::<U24>(), channels, out),
        SampleFormat::U32 => mix(data.as_slice::<u32>(), channels, out),
        SampleFormat::U64 => mix(data.as_slice::<u64>(), channels, out),
        SampleFormat::F32 => mix(data.as_slice::<f32>(), channels, out),
        SampleFormat::F64 => mix(data.as_slice::<f64>(), channels, out),
        _ => return Err(format),
    }
    Ok(())
}

/// Averages each frame of `channels` interleaved samples. `None` (a format mismatch inside
/// `cpal`) appends nothing; a trailing partial frame is ignored.
pub(crate) fn mix<T: Sample>(samples: Option<&[T]>, channels: usize, out: &mut Vec<f32>)
where
    f32: FromSample<T>,
{
    let Some(samples) = samples else { return };
    let channels = channels.max(1);
    let scale = 1.0 / channels as f32;
    out.extend(
        samples.chunks_exact(channels).map(|frame| frame.iter().map(|s| s.to_sample::<f32>()).sum::<f32>() * scale),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mixed<T: Sample>(samples: &[T], channels: usize) -> Vec<f32>
    where
        f32: FromSample<T>,
    {
        let mut out = Vec::new();
        mix(Some(samples), channels, &mut out);
        out
    }

    #[test]
    fn integer_and_float_formats_scale_to_unit_range() {
        assert_eq!(mixed(&[i16::MIN, 0, 16_384], 1), [-1.0, 0.0, 0.5]);
        assert_eq!(mixed(&[0u8, 128, 255], 1)[..2], [-1.0, 0.0]);
        assert_eq!(mixed(&[0u16, 32_768], 1), [-1.0, 0.0]);
        assert_eq!(mixed(&[0.25f64, -0.5], 1), [0.25, -0.5]);
        assert_eq!(mixed(&[i32::MIN], 1), [-1.0]);
    }

    #[test]
    fn channels_are_averaged_and_partial_frames_dropped() {
        // Stereo: left 0.5, right -0.5 cancels; equal channels stay as they are.
        assert_eq!(mixed(&[0.5f32, -0.5, 0.25, 0.25, 0.9], 2), [0.0, 0.25]);
        // Six channels, one of them loud.
        let six = mixed(&[0.0f32, 0.0, 0.6, 0.0, 0.0, 0.0], 6);
        assert!(six.len() == 1 && (six[0] - 0.1).abs() < 1e-6, "{six:?}");
        // A zero channel count is treated as mono rather than dividing by zero.
        assert_eq!(mixed(&[0.5f32], 0), [0.5]);
        let mut out = Vec::new();
        mix::<f32>(None, 2, &mut out);
        assert!(out.is_empty());
    }
}
