//! Time and randomness: `Date.now()`, `Math.random()`, `crypto.getRandomValues` and
//! gloo-timers on wasm; natively (unit tests) plain std, so pure logic still runs.

/// Unix time in milliseconds.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0)
    }
}

/// A number in `[0, 1)` for backoff jitter.
pub fn random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

/// Sleeps `ms` milliseconds (natively: returns at once).
pub async fn sleep_ms(ms: f64) {
    #[cfg(target_arch = "wasm32")]
    {
        let ms = ms.clamp(0.0, i32::MAX as f64) as u32;
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = ms;
    }
}

/// A fresh `Idempotency-Key` (UUID v4 text) for one user action, from `crypto.getRandomValues`.
pub fn idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    #[cfg(target_arch = "wasm32")]
    {
        let filled = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
            .is_some();
        if !filled {
            for b in bytes.iter_mut() {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let seed = now_ms() as u128 ^ (&bytes as *const _ as u128);
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn idempotency_keys_look_like_uuid_v4() {
        let key = idempotency_key();
        assert_eq!(key.len(), 36);
        assert_eq!(&key[14..15], "4");
    }
}
