//! A world for the page tests: an organisation with a coordinator who has a password, and
//! two reception phones at the same centre that hold the same child's case.

use casesync_contract::{DocumentId, Role};
use casesync_schema::directory::users;
use casesync_schema::web::credentials;
use casesync_tests::device::Device;
use casesync_tests::fixtures::{self, Org};
use casesync_tests::server::{TestServer, T0};
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;

pub const PASSWORD: &str = "a long test passphrase";

/// A person of `org` who signs in to the pages with [`PASSWORD`].
pub fn page_user(server: &TestServer, org: &Org, role: Role, name: &str) -> String {
    let mut conn = server.state.pool.get().unwrap();
    let user = users::create(&mut conn, &org.id, None, role, name).unwrap();
    let phc = casesync_server::web::passwords::hash(PASSWORD).unwrap();
    credentials::set_password_hash(&mut conn, &user.id, &phc).unwrap();
    user.id
}

/// A portrait-like JPEG: a figure on a soft background, enough to look like a photo in a
/// screenshot without shipping one.
fn portrait() -> Vec<u8> {
    let (w, h) = (240u32, 300u32);
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f64, y as f64);
        let head = (fx - 120.0).powi(2) + (fy - 110.0).powi(2) < 52.0f64.powi(2);
        let body = fy > 175.0 && (fx - 120.0).abs() < 40.0 + (fy - 175.0) * 0.9;
        if head {
            image::Rgb([121, 85, 61])
        } else if body {
            image::Rgb([46, 74, 122])
        } else {
            image::Rgb([200 - (y / 6) as u8, 208 - (y / 8) as u8, 214])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&image)
        .unwrap();
    out
}

/// Ana uploads a dated photo of the child and makes it the profile photo.
fn add_photo(server: &TestServer, ana: &mut Device, case: &DocumentId) {
    use casesync_contract::case::{self, AttachmentRef, CaseLog, Millis, Str, Whole};
    use sha2::Digest;
    let bytes = portrait();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let resp = reqwest::blocking::Client::new()
        .put(server.url(&format!("/v1/blobs/{sha}")))
        .bearer_auth(&ana.token)
        .header("content-type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().unwrap());
    let entry = AttachmentRef {
        sha256: Str::from(sha.as_str()),
        size: Whole(bytes.len() as i64),
        media_type: Str::from("image/jpeg"),
        captured_at: Millis(T0 - 3 * 3_600_000),
        author: Str(ana.user_id.clone()),
        device: Str(ana.device_id.clone()),
        sensitivity: None,
        caption: Some(Str::from("dated photo at intake")),
    };
    case::append(ana.doc(case), CaseLog::Attachments, &entry).unwrap();
    ana.doc(case).commit();
    ana.set_profile(case, "photo", &sha);
}

pub struct World {
    pub server: TestServer,
    pub org: Org,
    pub ana: Device,
    pub ben: Device,
    pub case: DocumentId,
}

/// Ana opens Abena's case on her phone; Ben's phone receives it; each records an
/// observation offline, and both write the child's nationality differently (a conflict).
pub fn world(db: &casesync_tests::db::TestDb) -> World {
    let server = TestServer::start(db);
    let org = fixtures::org(&server, "Hope Reception", "North Centre");
    page_user(&server, &org, Role::Coordinator, "maria");
    page_user(&server, &org, Role::Auditor, "dora");
    page_user(&server, &org, Role::OrgAdmin, "olga");
    let mut ana = fixtures::device(&server, &org, Role::ReceptionStaff, "Ana");
    let mut ben = fixtures::device(&server, &org, Role::ReceptionStaff, "Ben");
    let case = ana.open_case(
        &[
            ("given_name", "Abena"),
            ("family_name", "Tesfaye"),
            ("aliases", "Abi"),
            ("physical_description", "slim, 1.55 m, short black hair"),
        ],
        T0 - 3 * 3_600_000,
    );
    ana.sync().unwrap();
    ben.sync().unwrap();
    assert!(ben.docs.contains_key(&case), "Ben's phone holds the case");
    ana.observe(
        &case,
        "obs-ana",
        "Seen at the station with two older boys",
        T0 - 2 * 3_600_000,
    );
    ben.observe(
        &case,
        "obs-ben",
        "Asked about trains to the north",
        T0 - 3_600_000,
    );
    add_photo(&server, &mut ana, &case);
    ana.set_profile(&case, "nationality", "Eritrean");
    ben.set_profile(&case, "nationality", "Ethiopian");
    ana.sync().unwrap();
    ben.sync().unwrap();
    ana.sync().unwrap();
    World {
        server,
        org,
        ana,
        ben,
        case,
    }
}

pub(crate) fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// `name=value` of the cookie `name` set by a response, with its attributes.
pub(crate) fn set_cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

pub(crate) fn pair(cookie: &str) -> String {
    cookie.split(';').next().unwrap().to_string()
}

/// Loads the sign-in form: its double-submit cookie and the token in the form.
fn form_token(server: &TestServer, http: &Client) -> (String, String) {
    let resp = http.get(server.url("/web/sign-in")).send().unwrap();
    let cookie = pair(&set_cookie(&resp, "casesync_form").unwrap());
    let html = resp.text().unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = html[at..].split('"').next().unwrap().to_string();
    (cookie, token)
}

pub(crate) fn sign_in(server: &TestServer, http: &Client, name: &str, password: &str) -> Response {
    let (cookie, token) = form_token(server, http);
    http.post(server.url("/web/sign-in"))
        .header("cookie", cookie)
        .form(&[
            ("name", name),
            ("password", password),
            ("csrf", &token),
            ("next", "/web/cases"),
        ])
        .send()
        .unwrap()
}
