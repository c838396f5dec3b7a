//! The plugin interface: how features that are not Zola's (the strategy
//! plugin, a partner's own additions) join the pipeline without the core
//! knowing about them.
//!
//! A plugin is a value implementing [`Plugin`]. Every hook has a default
//! that does nothing, so a plugin implements only what it needs. The hooks
//! are called in pipeline order:
//!
//! 1. [`Plugin::site_loaded`] once, after content is loaded and related and
//!    before Markdown: read pages' front matter, validate it, derive data,
//!    report problems (with file, line and column) through [`Diagnostics`].
//! 2. [`Plugin::templates`] and [`Plugin::functions`] once, when the
//!    template engine is built: built-in templates (the lowest layer, under
//!    the site's and the theme's) and template functions. Functions are
//!    engine-neutral: named JSON arguments in, a JSON value out.
//! 3. [`Plugin::template_for`], [`Plugin::extend_context`] for every page and
//!    section rendered: pick a default template, add variables.
//! 4. [`Plugin::generated_pages`] once: extra output files rendered through a
//!    template with a context the plugin gives.
//!
//! Outside the build, `throughline init` asks each plugin for the files
//! and settings a new site starts with ([`Plugin::init_files`],
//! [`Plugin::init_config`]), and `throughline new` for the kinds of page
//! it writes ([`Plugin::new_kinds`], [`Plugin::new_page`]).
//!
//! Everything a plugin hands over is plain `serde` data (`serde_json::Value`
//! contexts, [`GeneratedPage`]); no template engine type appears here, so the
//! same plugin works with any engine throughline renders with.
//!
//! See `docs/plugins.md` for a worked example. Plugins can also be
//! commands a site's config lists, speaking JSON ([`external`]).

pub mod external;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::config::EngineKind;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::{Item, Page, Section, Site};

/// Named arguments of a template function call.
pub type Args = HashMap<String, Value>;

/// A template function body: arguments in, a value or a message for the
/// template's author out.
pub type FunctionBody = Arc<dyn Fn(&Args) -> Result<Value, String> + Send + Sync>;

/// A template function a plugin adds (`get_entity(kind=…, id=…)`).
#[derive(Clone)]
pub struct Function {
    pub name: String,
    pub body: FunctionBody,
}

impl Function {
    pub fn new(
        name: impl Into<String>,
        body: impl Fn(&Args) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Function {
        Function {
            name: name.into(),
            body: Arc::new(body),
        }
    }
}

/// A built-in template a plugin provides. Sites and themes override it by
/// writing a template of the same name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub source: String,
}

/// An output file a plugin adds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratedPage {
    /// Where it is served: `/plan/` (written as `plan/index.html`) or a file
    /// name such as `/blog/atom.xml`.
    pub path: String,
    /// The template that renders it.
    pub template: String,
    /// Variables for the template, besides the ones every template gets
    /// (`config`, `current_path`, `current_url`, `lang`).
    #[serde(default)]
    pub context: Map<String, Value>,
    /// Whether `sitemap.xml` lists it (HTML pages usually; feeds not).
    #[serde(default)]
    pub in_sitemap: bool,
}

/// What a plugin says changed, from [`Plugin::site_changed`].
#[derive(Debug, Clone, Default)]
pub struct Changed {
    /// Pages and sections whose contexts (or templates) from the plugin
    /// may differ.
    pub items: Vec<Item>,
    /// Whether the plugin's generated pages may differ.
    pub generated: bool,
}

/// What the render stage offers a plugin while pages are rendered. The
/// render stage implements it; the plugin interface names no render type,
/// so what crosses it is the site, the config and plain JSON.
pub trait Host: Sync {
    /// Whether contexts are built only to be fingerprinted (`serve`).
    fn fingerprinting(&self) -> bool;
    /// A page as templates see it; the read is recorded for `serve`.
    fn page_value(&self, pid: crate::site::PageId) -> Arc<Value>;
    /// One field of [`Host::page_value`]; the read is recorded too.
    fn page_field(&self, pid: crate::site::PageId, field: &str) -> Option<Value>;
    /// Whether a template of this name exists.
    fn has_template(&self, name: &str) -> bool;
    /// Whether `template` (or what it extends, includes or imports)
    /// contains any of `needles`; `true` when unsure.
    fn template_reads(&self, template: &str, needles: &[&str]) -> bool;
    /// The fields of `var` that `template` reads, when it reads it only as
    /// `var.field`.
    fn fields_read(&self, template: &str, var: &str) -> Option<Vec<String>>;
    /// A stand-in for `v` carrying its fingerprint (worked out once per
    /// value in a pass).
    fn stand_in(&self, v: &Value) -> Value;
    /// Render `name` with `context` (when fingerprinting: a stand-in
    /// carrying the fingerprint of the name and the context). The context
    /// is lent: afterwards it holds the same values, in any order.
    fn render(&self, name: &str, context: &mut Map<String, Value>) -> Result<String, Diagnostic>;
}

/// What a plugin can look at while pages are rendered.
pub struct RenderCx<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    /// In `extend_context`: the template the item is rendered with.
    pub template: Option<&'a str>,
    pub(crate) host: &'a dyn Host,
}

impl RenderCx<'_> {
    /// A page as templates see it (`page`, without `lower`/`higher`): its
    /// `content` is the rendered body. Read pages from here, so that
    /// `serve` knows what to render again when one changes. In a build
    /// the value is made when asked for: for one field, ask
    /// [`RenderCx::page_field`].
    pub fn page_value(&self, pid: crate::site::PageId) -> Arc<Value> {
        self.host.page_value(pid)
    }

    /// One field of [`RenderCx::page_value`] (`None` for a field pages
    /// do not have), without making the rest.
    pub fn page_field(&self, pid: crate::site::PageId, field: &str) -> Option<Value> {
        self.host.page_field(pid, field)
    }

    /// Whether a template of this name exists (site, theme, or built in).
    pub fn has_template(&self, name: &str) -> bool {
        self.host.has_template(name)
    }

    /// Whether the template the item is rendered with (or one it extends,
    /// includes or imports) contains any of `needles`: lets a plugin leave
    /// out a large variable no template reads. `true` when unsure.
    pub fn template_mentions(&self, needles: &[&str]) -> bool {
        match self.template {
            Some(t) => self.host.template_reads(t, needles),
            None => true,
        }
    }

    /// A large value to add to the context: a copy, or, when `serve` only
    /// fingerprints the context to see whether the output changed, a
    /// stand-in carrying the value's fingerprint (worked out once per
    /// value). Use it for values the plugin keeps for the whole build; a
    /// value made for this item can go in as it is.
    pub fn large(&self, v: &Value) -> Value {
        if self.host.fingerprinting() {
            self.host.stand_in(v)
        } else {
            v.clone()
        }
    }

    /// [`RenderCx::large`] for a variable `name` that `template` reads:
    /// when only fingerprinting, and the template only ever reads it as
    /// `name.field`, only those fields go into the fingerprint, so a change
    /// elsewhere in the value does not render the output again.
    pub fn large_for(&self, template: &str, name: &str, v: &Value) -> Value {
        if !self.host.fingerprinting() {
            return v.clone();
        }
        match self.host.fields_read(template, name) {
            Some(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|f| {
                        let x = match v.get(&f) {
                            Some(x) => self.host.stand_in(x),
                            None => Value::Null,
                        };
                        (f, x)
                    })
                    .collect(),
            ),
            None => self.large(v),
        }
    }

    /// [`RenderCx::large_for`] (or, without a template,
    /// [`RenderCx::large`]) for a value that may have been made for this
    /// item alone (`Cow::Owned`): when rendering, such a value goes in as
    /// it is, without a copy.
    pub fn own_for(
        &self,
        template: Option<&str>,
        name: &str,
        v: std::borrow::Cow<'_, Value>,
    ) -> Value {
        match (v, template) {
            (std::borrow::Cow::Owned(v), _) if !self.host.fingerprinting() => v,
            (v, Some(t)) => self.large_for(t, name, &v),
            (v, None) => self.large(&v),
        }
    }

    /// Render a template with a context, for a fragment the plugin places
    /// itself.
    ///
    /// When `serve` only fingerprints the context, nothing is rendered:
    /// the fragment is a fingerprint of the template's name and `context`
    /// (put large values in with [`RenderCx::large`], so that is cheap).
    /// What the template itself reads is recorded when the page is
    /// rendered.
    pub fn render(
        &self,
        name: &str,
        mut context: Map<String, Value>,
    ) -> Result<String, Diagnostic> {
        self.host.render(name, &mut context)
    }

    /// [`RenderCx::render`] with the context lent: afterwards it holds
    /// the same values (in any order), so a value made for this item can
    /// go into the fragment's context and then into the item's own
    /// without a copy.
    pub fn render_lent(
        &self,
        name: &str,
        context: &mut Map<String, Value>,
    ) -> Result<String, Diagnostic> {
        self.host.render(name, context)
    }

    /// A value for the context that may be the plugin's only copy: made
    /// (or parsed) for this item, it goes in as it is, without a copy;
    /// one something else still holds goes in as [`RenderCx::large`]
    /// does (a copy, or in `serve`'s fingerprinting its stand-in).
    pub fn own(&self, v: Arc<Value>) -> Value {
        match Arc::try_unwrap(v) {
            Ok(v) => v,
            Err(kept) => self.large(&kept),
        }
    }
}

/// What `new` is asked to write, as a plugin's [`Plugin::new_page`] sees
/// it.
#[derive(Debug, Clone, Copy)]
pub struct NewRequest<'a> {
    /// The site's folder.
    pub root: &'a Path,
    /// The site's config, loaded.
    pub config: &'a Config,
    /// The kind as typed (`Posts`): a plugin may take aliases.
    pub kind: &'a str,
    /// The title given, trimmed: empty when none was.
    pub title: &'a str,
    /// The file name asked for with `--slug`.
    pub slug: Option<&'a str>,
}

/// A page `new` wrote, and what is left for its writer to do before
/// `throughline check` passes.
#[derive(Debug)]
pub struct NewPage {
    pub file: PathBuf,
    /// The id it was given (its file or folder name).
    pub id: String,
    /// What the id was made from, for the line that tells the writer it
    /// ("title", "id you gave"); `None` for no such line (the writer chose
    /// it with `--slug`, or the page's id does not matter).
    pub id_from: Option<String>,
    /// The lines of the page with a placeholder: (line number, the line).
    pub fill: Vec<(usize, String)>,
    /// What else to change, in other files, for `check` to pass.
    pub then: Option<String>,
}

/// A feature added to the pipeline. See the module documentation for when
/// each hook runs. Hooks other than `site_loaded` run in parallel across
/// pages, so they take `&self`.
pub trait Plugin: Send + Sync {
    /// A short name, used in messages.
    fn name(&self) -> &str;

    /// After loading: validate and derive. Push problems to `diags`; errors
    /// fail the build (after every other stage has reported its own).
    fn site_loaded(&mut self, _site: &Site, _config: &Config, _diags: &Diagnostics) {}

    /// After an edit that changed pages' front matter but not the site's
    /// shape (no page added, removed or moved; addresses, dates, weights,
    /// drafts and taxonomies as they were), `serve` calls this instead of
    /// [`Plugin::site_loaded`], on the site as it is now; `changed` are the
    /// pages (and sections) edited. Do what `site_loaded` does (reusing
    /// what the edit cannot have changed, if you can tell), then say which
    /// pages and sections may now get
    /// something different from [`Plugin::extend_context`] or
    /// [`Plugin::template_for`], and whether [`Plugin::generated_pages`]
    /// may make something different: `serve` then looks only at those
    /// (and at the pages edited, and at every call to this plugin's
    /// functions). `None` means "cannot tell": everything is built again.
    /// The default calls `site_loaded` and answers `None`.
    fn site_changed(
        &mut self,
        site: &Site,
        config: &Config,
        _changed: &[Item],
        diags: &Diagnostics,
    ) -> Option<Changed> {
        self.site_loaded(site, config, diags);
        None
    }

    /// Called before [`Plugin::site_loaded`] when the site is built once
    /// and not edited after (`throughline build`, not `serve`): nothing
    /// will compare the plugin's values with a later edit's, so it may
    /// keep them in a smaller form and make them whole when asked for.
    fn built_once(&mut self) {}

    /// Whether [`Plugin::site_loaded`] reads pages' or sections' bodies
    /// (the text after the front matter), or anything derived from them
    /// such as `word_count`. When no plugin does, `serve` answers an edit
    /// that changed only bodies without calling `site_loaded` again: it
    /// keeps the plugin and renders the pages the edit shows on. Say
    /// `false` only when it is true: the default is the safe answer.
    /// (Other hooks may read bodies either way.)
    fn site_loaded_reads_bodies(&self) -> bool {
        true
    }

    /// Built-in templates (Tera), under the site's and the theme's.
    fn templates(&self) -> Vec<Template> {
        Vec::new()
    }

    /// Built-in templates for the engine the site uses: by default the
    /// Tera ones from [`Plugin::templates`], and none for MiniJinja. A
    /// plugin whose templates should work on MiniJinja sites gives a Jinja
    /// version of each here.
    fn templates_for(&self, engine: EngineKind) -> Vec<Template> {
        match engine {
            EngineKind::Tera => self.templates(),
            EngineKind::MiniJinja => Vec::new(),
        }
    }

    /// Template functions.
    fn functions(&self) -> Vec<Function> {
        Vec::new()
    }

    /// The template for a page or section that names none itself (and whose
    /// sections name no `page_template`). The first plugin to answer wins;
    /// if none does, Zola's defaults apply.
    fn template_for(&self, _cx: &RenderCx<'_>, _item: Item) -> Option<String> {
        None
    }

    /// Add to (or change) the context a page or section is rendered with.
    /// Paginated sections call this once per pager page.
    fn extend_context(
        &self,
        _cx: &RenderCx<'_>,
        _item: Item,
        _context: &mut Map<String, Value>,
    ) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// Extra output files.
    fn generated_pages(&self, _cx: &RenderCx<'_>) -> Vec<GeneratedPage> {
        Vec::new()
    }

    /// Files `throughline init` writes into a new site for this plugin, as
    /// (path relative to the new site's folder, contents): its sections and
    /// a first page of each, say, so the site builds and shows them at
    /// once. A path the core (or an earlier plugin) already writes is left
    /// as theirs; `init` never replaces a file that exists.
    fn init_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        Vec::new()
    }

    /// TOML text `throughline init` appends to the new site's
    /// `config.toml`, after a blank line: this plugin's settings (its
    /// `[extra.NAME]` tables), with comments that explain them.
    fn init_config(&self) -> String {
        String::new()
    }

    /// The kinds of page `throughline new KIND` writes for this plugin, by
    /// their canonical names (`post`), for the list of kinds and "did you
    /// mean" when a kind is not known.
    fn new_kinds(&self) -> Vec<String> {
        Vec::new()
    }

    /// Write a new page of `req.kind` (as typed; a plugin may take aliases
    /// such as plurals) in the site at `req.root`: `None` when the kind is
    /// not this plugin's, so the next plugin is asked; otherwise the page
    /// written, or what stopped it (a missing title, a page that exists).
    /// Write with [`crate::scaffold::write_new`], which never replaces a
    /// file; [`crate::scaffold::archetype`] lets a site's own
    /// `archetypes/KIND.md` win, and [`crate::scaffold::placeholder_lines`]
    /// gives [`NewPage::fill`]. The first plugin to answer wins; the core's
    /// own kind (`accessibility-statement`) is never asked for.
    fn new_page(&self, _req: &NewRequest<'_>) -> Option<Result<NewPage, Vec<Diagnostic>>> {
        None
    }
}

/// Where a front matter value is, for a diagnostic: `key` is a dotted path
/// such as `extra.tags[1]`. Falls back to the key, then to the file.
pub fn locate(file: &std::path::Path, source: &crate::content::Source, key: &str) -> Location {
    let span = source
        .spans
        .value(key)
        .or_else(|| source.spans.key(key))
        .unwrap_or(0..0);
    Location::from_span(file, &source.text, span)
}

/// Where a front matter key (not its value) is: for "this key is wrong".
pub fn locate_key(file: &std::path::Path, source: &crate::content::Source, key: &str) -> Location {
    let span = source.spans.key(key).unwrap_or(0..0);
    Location::from_span(file, &source.text, span)
}

impl Page {
    /// Where the front matter value at `key` (`extra.tags[1]`) is.
    pub fn locate(&self, key: &str) -> Location {
        locate(&self.file.path, &self.source, key)
    }

    /// Where the front matter key `key` itself is.
    pub fn locate_key(&self, key: &str) -> Location {
        locate_key(&self.file.path, &self.source, key)
    }
}

impl Section {
    /// Where the front matter value at `key` is.
    pub fn locate(&self, key: &str) -> Location {
        locate(&self.file.path, &self.source, key)
    }
}
