//! What a field app does with the alerts it holds: it reads each alert's text key and
//! arguments from the alert documents and renders them in its user's language with the
//! contract's shared catalogue, as `GET /v1/me` reports that language.

use automerge::{ObjType, ReadDoc, Value, ROOT};
use casesync_contract::alerts::AlertMessage;
use casesync_contract::i18n::Language;

use super::Device;

/// One alert as the phone holds it.
#[derive(Debug, Clone)]
pub struct HeldAlert {
    pub kind: String,
    /// The English text the server also writes, for apps older than the keys.
    pub english: String,
    /// The key and arguments, when the server wrote them.
    pub message: Option<AlertMessage>,
}

impl HeldAlert {
    /// The text a phone shows in `language`: the key rendered, else the English text.
    pub fn text(&self, language: Language) -> String {
        self.message
            .as_ref()
            .map_or_else(|| self.english.clone(), |m| m.render(language))
    }
}

impl Device {
    /// The language the device's user reads (`GET /v1/me`).
    pub fn language(&self) -> Language {
        let me: serde_json::Value = self
            .http
            .get(format!("{}/v1/me", self.base_url))
            .bearer_auth(&self.token)
            .send()
            .expect("GET /v1/me")
            .json()
            .expect("a JSON answer");
        serde_json::from_value(me["language"].clone()).expect("a language")
    }

    /// Every alert in the alert documents the device holds.
    pub fn held_alerts(&self) -> Vec<HeldAlert> {
        let mut out = vec![];
        for local in self.docs.values() {
            let doc = &local.doc;
            let kind = doc.get(ROOT, "kind").ok().flatten();
            if kind.and_then(|(v, _)| v.as_str().map(str::to_string)) != Some("alerts".into()) {
                continue;
            }
            let Ok(Some((Value::Object(ObjType::Map), alerts))) = doc.get(ROOT, "alerts") else {
                continue;
            };
            for key in doc.keys(&alerts) {
                let Ok(Some((_, alert))) = doc.get(&alerts, key.as_str()) else {
                    continue;
                };
                let text = |obj: &automerge::ObjId, field: &str| {
                    doc.get(obj, field)
                        .ok()
                        .flatten()
                        .and_then(|(v, _)| v.as_str().map(str::to_string))
                };
                let args = doc
                    .get(&alert, "message_args")
                    .ok()
                    .flatten()
                    .map(|(_, a)| {
                        doc.keys(&a)
                            .filter_map(|name| Some((name.clone(), text(&a, &name)?)))
                            .collect()
                    });
                out.push(HeldAlert {
                    kind: text(&alert, "kind").unwrap_or_default(),
                    english: text(&alert, "message").unwrap_or_default(),
                    message: text(&alert, "message_key").map(|key| AlertMessage {
                        key,
                        args: args.unwrap_or_default(),
                    }),
                });
            }
        }
        out
    }
}
