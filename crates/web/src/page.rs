//! What a page handler gets about the request: language, who is acting, the CSRF
//! token (for logged-in users: anonymous visitors get no session row).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use phongtrao_domain::role::Role;
use tower_sessions::Session;

use crate::auth::client::ClientIp;
use crate::auth::{csrf, Actor, MaybeActor};
use crate::campaign_choice;
use crate::error::{AppError, Failure};
use crate::i18n::{Badge, Chrome, Lang};
use crate::i18n::{CampaignOption, CampaignSwitch};
use crate::AppState;
use phongtrao_storage::campaigns::{self, CampaignRow, StoredCampaign};

/// A campaign's title with its year ("Kế hoạch … năm 2023" stays as it is; a title
/// without the year gets it).
pub fn with_year(title: &str, year: i64) -> String {
    if title.contains(&year.to_string()) {
        title.to_string()
    } else {
        format!("{title} {year}")
    }
}

/// A campaign as the switcher names it: its title and year, "(đã lưu trữ)" when archived.
pub fn campaign_label(lang: Lang, c: &CampaignRow) -> String {
    // "Kế hoạch Tháng Thanh niên năm 2023" → "Tháng Thanh niên năm 2023": the
    // campaign, not the document.
    let title = c.title.strip_prefix("Kế hoạch ").map(|t| {
        let mut chars = t.chars();
        chars.next().map(|f| f.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
    });
    let title = title.unwrap_or_else(|| c.title.clone());
    let mut label = with_year(&title, c.year);
    if c.is_archived() {
        label.push_str(match lang {
            Lang::Vi => " (đã lưu trữ)",
            Lang::En => " (archived)",
        });
    }
    label
}

pub struct Page {
    pub lang: Lang,
    pub actor: Option<Actor>,
    pub csrf: String,
    pub path: String,
    pub client: ClientIp,
    #[allow(dead_code)]
    pub session: Option<Session>,
    /// The database holds simulated reports (a demo): every page says so.
    pub simulated: bool,
    /// The page of this site the request came from (its Referer), if any.
    pub back: Option<String>,
    /// The campaign the page is about (`?campaign=CODE`, else the user's choice,
    /// else the default), or why there is none.
    campaign: Result<StoredCampaign, Failure>,
    /// The campaigns the user may switch to (the switcher shows when there are two).
    choices: Vec<CampaignRow>,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let client = ClientIp::from_request_parts(parts, state).await?;
        let MaybeActor(actor) = MaybeActor::from_request_parts(parts, state).await?;
        let session = Session::from_request_parts(parts, state).await.ok();
        let csrf = match (&actor, &session) {
            (Some(a), Some(s)) if !a.via_token => csrf::token(s).await,
            // Before login: the signed pre-login token (no session row for it).
            (None, _) => parts.extensions.get::<csrf::PreLoginToken>().map(|t| t.0.clone()).unwrap_or_default(),
            _ => String::new(),
        };
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        let simulated = crate::demo::is_simulated(&state.db).await;
        let back = same_site_referer(parts);
        let wanted = campaign_choice::requested(parts);
        let campaign = campaign_choice::resolve(&state.db, actor.as_ref(), wanted.as_deref()).await;
        // A campaign named in the address becomes the user's choice: the links of
        // the page (which do not repeat it) stay in that campaign. Not from a link on
        // another site: the choice follows the person to every device.
        if let (Some(_), Some(a), Ok(c)) = (&wanted, &actor, &campaign) {
            if !a.via_token && csrf::from_this_site(&parts.headers) {
                let chosen = campaigns::chosen_by(&state.db, a.user.id).await.ok().flatten();
                if chosen != Some(c.row.id) {
                    let _ = campaigns::choose(&state.db, a.user.id, c.row.id, state.now()).await;
                }
            }
        }
        let choices = match actor {
            Some(_) => campaign_choice::choices(&state.db, actor.as_ref()).await.unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(Page { lang, actor, csrf, path, client, session, simulated, back, campaign, choices })
    }
}

impl Page {
    pub fn chrome(&self, title: impl Into<String>, nav: &'static str) -> Chrome {
        let user = self.actor.as_ref().map(|a| Badge {
            username: a.user.username.clone(),
            display_name: a.user.display_name.clone(),
            role: match self.lang {
                Lang::Vi => a.user.role.label_vi().to_string(),
                Lang::En => a.user.role.as_str().to_string(),
            },
            is_admin: a.user.role == Role::Admin,
            is_office: matches!(a.user.role, Role::Admin | Role::Steering),
            is_unit_office: a.user.role == Role::UnitOffice,
            can_read_audit: phongtrao_domain::policy::allows(
                &a.policy(),
                phongtrao_domain::policy::Action::ReadAudit,
                &a.unit_ids,
            ),
        });
        Chrome {
            lang: self.lang,
            path: self.path.clone(),
            title: title.into(),
            nav,
            user,
            csrf: self.csrf.clone(),
            simulated: self.simulated,
            campaign: self.switcher(),
        }
    }

    /// The campaign this page is about, or the page that says why there is none
    /// (an unknown `?campaign=` code: 404).
    pub fn campaign(&self) -> Result<&StoredCampaign, AppError> {
        self.campaign.as_ref().map_err(|f| self.fail(f.clone()))
    }

    fn switcher(&self) -> Option<CampaignSwitch> {
        let current = self.campaign.as_ref().ok()?;
        let options = self
            .choices
            .iter()
            .map(|c| CampaignOption {
                code: c.code.clone(),
                label: campaign_label(self.lang, c),
                selected: c.id == current.row.id,
            })
            .collect();
        Some(CampaignSwitch {
            code: current.row.code.clone(),
            label: campaign_label(self.lang, &current.row),
            archived: current.row.is_archived(),
            options,
        })
    }

    /// The logged-in actor, or a redirect to the login form (and to the password
    /// change form while the password is a one-time one).
    pub fn require_actor(&self) -> Result<&Actor, AppError> {
        match &self.actor {
            None => Err(AppError::login(self.lang, &self.path)),
            Some(a) if a.user.must_change_password && !self.path.starts_with("/account") => {
                Err(AppError::redirect_to(self.lang, "/account?first=1"))
            }
            Some(a) => Ok(a),
        }
    }

    /// The failure as this page's error page: the user's menu and banner kept, a
    /// link back to where they came from.
    pub fn fail(&self, f: Failure) -> AppError {
        let mut error = f.page(self.lang);
        error.context = Some(Box::new(crate::error::PageContext {
            chrome: self.chrome(String::new(), ""),
            back: self.back.clone().filter(|b| *b != self.path),
        }));
        error
    }
}

/// The Referer when it is a page of this site (same host), as a local path.
fn same_site_referer(parts: &Parts) -> Option<String> {
    let referer = parts.headers.get(axum::http::header::REFERER)?.to_str().ok()?;
    let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("https://").or_else(|| referer.strip_prefix("http://"))?;
    let path = rest.strip_prefix(host)?;
    if !path.starts_with('/') {
        return None;
    }
    let safe = crate::redirect::local_path(Some(path));
    (safe == path || path == "/").then_some(safe)
}
