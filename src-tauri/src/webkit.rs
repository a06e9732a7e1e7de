//! WebKitGTK settings for the station's windows: a forms UI with one JPEG preview and snippet
//! playback needs no GPU compositing, WebGL, Web Audio, back/forward page cache or DNS
//! prefetching, and each of them costs memory while the station sits idle.
//!
//! Measured under Xvfb (docs/performance.md §9): in accelerated compositing mode the web process
//! holds about 55 MiB of anonymous memory (GL buffers of Mesa's software rasteriser) and nine
//! more threads; painted on the CPU the windows look the same (screenshots differ only in the
//! anti-aliasing of text edges). Video playback (`<video>` of snippets) stays enabled. One
//! consequence for tests: WebKitWebDriver's screenshot then waits for the page's next paint, which
//! a page where nothing changes never makes (`tests/window/driver.mjs` makes it paint first).
//!
//! Invariant: these are the only WebKit settings the app changes, and every window gets them:
//! [`prepare_environment`] before GTK starts (compositing mode is chosen when the web process
//! starts, so the policy [`apply`] sets afterwards leaves it only once the first page has already
//! set compositing up: about 5 MiB and 13 threads more than starting without it), then [`apply`]
//! on each window as it is built.

use tauri::{Runtime, WebviewWindow};

/// `WEBKIT_DISABLE_COMPOSITING_MODE=1`, set by [`prepare_environment`] unless the user set it.
pub const WEBKIT_ENV: (&str, &str) = ("WEBKIT_DISABLE_COMPOSITING_MODE", "1");

/// Sets [`WEBKIT_ENV`] for this process and the WebKit processes it starts, unless the variable
/// is already set (then the user's value stands).
///
/// Call it before GTK starts and before any other thread exists (it is the first thing `main`
/// does), which is what makes changing the environment sound.
pub fn prepare_environment() {
    let (name, value) = WEBKIT_ENV;
    if std::env::var_os(name).is_none() {
        std::env::set_var(name, value);
    }
}

/// Applies the station's WebKit settings to `window` (on its event loop; returns at once).
pub fn apply<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    #[cfg(target_os = "linux")]
    window.with_webview(|webview| linux::apply(&webview.inner()))?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebView, WebViewExt};

    pub fn apply(view: &WebView) {
        if let Some(settings) = WebViewExt::settings(view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_webgl(false);
            settings.set_enable_webaudio(false);
            settings.set_enable_page_cache(false);
            settings.set_enable_dns_prefetching(false);
        }
        if let Some(context) = view.context() {
            // One local document per window, nothing to keep for "back": the smallest caches.
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    }
}
