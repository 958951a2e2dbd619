//! Language choice and translated strings for templates.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

/// The two languages of the UI. Vietnamese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The one of two texts written in this language (Vietnamese first).
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    pub fn pick_opt<'a>(self, vi: Option<&'a str>, en: Option<&'a str>) -> Option<&'a str> {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A translated string.
    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.code()).into_owned()
    }
}

/// The language of a request: the `lang` cookie the language switch sets, else Vietnamese.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let from_cookie = parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        // Vietnamese first: English only when the user chose it.
        Ok(from_cookie.unwrap_or(Lang::Vi))
    }
}

/// The logged-in user as the page header shows them.
#[derive(Debug, Clone)]
pub struct Badge {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub is_admin: bool,
    /// The office or a steering member (their home is the dashboard).
    pub is_office: bool,
    /// The policy gives them the audit log (not a viewer).
    pub can_read_audit: bool,
    /// The office of a unit: its own plan and its report up (issue #21).
    pub is_unit_office: bool,
}

/// What every page needs around its content: language, current path, page title,
/// who is logged in and the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub path: String,
    pub title: String,
    pub nav: &'static str,
    pub user: Option<Badge>,
    pub csrf: String,
    /// Show the "simulated data" banner.
    pub simulated: bool,
    /// The campaign the page is about and the others to switch to.
    pub campaign: Option<CampaignSwitch>,
}

/// The campaign switcher of every page.
#[derive(Clone, Debug)]
pub struct CampaignSwitch {
    pub code: String,
    pub label: String,
    pub archived: bool,
    pub options: Vec<CampaignOption>,
}

#[derive(Clone, Debug)]
pub struct CampaignOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

impl Chrome {
    pub fn new(lang: Lang, path: &str, title: String, nav: &'static str) -> Chrome {
        Chrome {
            lang,
            path: path.to_string(),
            title,
            nav,
            user: None,
            csrf: String::new(),
            simulated: false,
            campaign: None,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// Changes whenever our CSS or JS changes, so browsers never keep a stale copy.
    pub fn asset_version(&self) -> &'static str {
        crate::assets::VERSION
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }

    /// `?campaign=CODE` of the campaign the page shows, for the addresses a form
    /// posts to: a form opened in one campaign saves into that campaign even when the
    /// user switches campaign in another tab meanwhile (or the autosave runs then).
    pub fn campaign_param(&self) -> String {
        match &self.campaign {
            Some(c) => format!("?{}", serde_urlencoded::to_string([("campaign", c.code.as_str())]).unwrap_or_default()),
            None => String::new(),
        }
    }

    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav {
            "page"
        } else {
            "false"
        }
    }
}

#[cfg(test)]
mod parity {
    /// Every key of a locale file, nested keys joined with dots ("app.name").
    fn keys(yaml: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut path: Vec<(usize, String)> = Vec::new();
        for line in yaml.lines() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let Some((key, value)) = trimmed.split_once(':') else { continue };
            while path.last().is_some_and(|(i, _)| *i >= indent) {
                path.pop();
            }
            let key = key.trim().trim_matches('"').to_string();
            if value.trim().is_empty() {
                path.push((indent, key));
            } else {
                let mut full: Vec<&str> = path.iter().map(|(_, k)| k.as_str()).collect();
                full.push(&key);
                out.push(full.join("."));
            }
        }
        out
    }

    #[test]
    fn vietnamese_and_english_have_the_same_keys_each_once() {
        let vi = keys(include_str!("../locales/vi.yml"));
        let en = keys(include_str!("../locales/en.yml"));
        for (name, list) in [("vi", &vi), ("en", &en)] {
            let mut seen = std::collections::HashSet::new();
            let twice: Vec<&String> = list.iter().filter(|k| !seen.insert(*k)).collect();
            assert!(twice.is_empty(), "{name}.yml defines these keys twice: {twice:?}");
        }
        let vi_set: std::collections::BTreeSet<&String> = vi.iter().collect();
        let en_set: std::collections::BTreeSet<&String> = en.iter().collect();
        let only_vi: Vec<_> = vi_set.difference(&en_set).collect();
        let only_en: Vec<_> = en_set.difference(&vi_set).collect();
        assert!(only_vi.is_empty() && only_en.is_empty(), "only in vi: {only_vi:?}; only in en: {only_en:?}");
        assert!(vi.len() > 400, "the files were read: {} keys", vi.len());
    }
}
