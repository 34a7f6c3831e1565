//! Request parameters, flattened the way Alibaba's RPC style wants them.

/// An ordered list of query parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// An empty list.
    pub fn new() -> Self {
        Params(Vec::new())
    }

    /// Appends one parameter as is, after any with the same name; nothing
    /// is escaped or flattened here (signing encodes names and values).
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Appends `value` under `name`, flattening lists and structs.
    pub fn put<T: ToParam + ?Sized>(&mut self, name: &str, value: &T) {
        value.to_param(name, self);
    }

    /// Appends a struct field: `prefix.Field`.
    pub fn put_field<T: ToParam + ?Sized>(&mut self, prefix: &str, field: &str, value: &T) {
        value.to_param(&format!("{prefix}.{field}"), self);
    }

    /// `style: simple`: one parameter, items joined with commas.
    pub fn put_simple<T: ToParam>(&mut self, name: &str, items: &[T]) {
        if items.is_empty() {
            return;
        }
        let mut scratch = Params::new();
        items.iter().for_each(|item| item.to_param("", &mut scratch));
        let joined: Vec<String> = scratch.0.into_iter().map(|(_, v)| v).collect();
        self.push(name, joined.join(","));
    }

    /// `style: json`: one parameter holding the value as JSON.
    pub fn put_json<T: ToJson + ?Sized>(&mut self, name: &str, value: &T) {
        let json = value.to_json();
        let empty = match &json {
            serde_json::Value::Null => true,
            serde_json::Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if !empty {
            self.push(name, json.to_string());
        }
    }

    /// Removes every parameter called `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| k != name);
    }

    /// The value of the first parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every parameter, as `(name, value)`, in the order pushed.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many parameters there are, repeated names counted each time.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `(name, value)` pairs, in the order pushed.
    pub fn into_vec(self) -> Vec<(String, String)> {
        self.0
    }
}

/// A value that can be written as query parameters under a name.
pub trait ToParam {
    /// Appends `self` to `out` under `name`: one parameter for a scalar,
    /// none for an unset option, `name.1`, `name.2`... for a list, and
    /// `name.Field` for each field of a struct.
    fn to_param(&self, name: &str, out: &mut Params);
}

impl ToParam for str {
    fn to_param(&self, name: &str, out: &mut Params) {
        out.push(name, self);
    }
}

impl ToParam for String {
    fn to_param(&self, name: &str, out: &mut Params) {
        out.push(name, self.as_str());
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self, name: &str, out: &mut Params) {
                out.push(name, self.to_string());
            }
        }
    )*};
}
display_param!(i32, i64, bool, f64);

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self, name: &str, out: &mut Params) {
        if let Some(v) = self {
            v.to_param(name, out);
        }
    }
}

/// Alibaba's 1-based flattening: `Name.1`, `Name.2`, and for structs
/// `Name.1.Key`.
impl<T: ToParam> ToParam for [T] {
    fn to_param(&self, name: &str, out: &mut Params) {
        for (i, item) in self.iter().enumerate() {
            item.to_param(&format!("{name}.{}", i + 1), out);
        }
    }
}

impl<T: ToParam> ToParam for Vec<T> {
    fn to_param(&self, name: &str, out: &mut Params) {
        self.as_slice().to_param(name, out);
    }
}

/// A value that can be sent JSON-encoded (`style: json`).
pub trait ToJson {
    /// The value as JSON: `null` for an unset option, an object without its
    /// unset fields for a struct.
    fn to_json(&self) -> serde_json::Value;
}

impl ToJson for String {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.clone())
    }
}

macro_rules! json_scalar {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> serde_json::Value {
                serde_json::Value::from(*self)
            }
        }
    )*};
}
json_scalar!(i32, i64, bool, f64);

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> serde_json::Value {
        self.as_ref().map_or(serde_json::Value::Null, ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

/// Builds the JSON object of a struct, leaving out absent fields.
#[derive(Default)]
pub struct JsonObject(serde_json::Map<String, serde_json::Value>);

impl JsonObject {
    /// An object with no fields.
    pub fn new() -> Self {
        JsonObject::default()
    }

    /// Adds the field `name`, unless `value` is `null` (an unset option).
    pub fn field<T: ToJson + ?Sized>(mut self, name: &str, value: &T) -> Self {
        let json = value.to_json();
        if !json.is_null() {
            self.0.insert(name.to_owned(), json);
        }
        self
    }

    /// The JSON object (its keys in `serde_json`'s map order: sorted, unless
    /// that crate's `preserve_order` feature is on).
    pub fn finish(self) -> serde_json::Value {
        serde_json::Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Filter {
        key: String,
        values: Vec<String>,
    }

    impl ToParam for Filter {
        fn to_param(&self, name: &str, out: &mut Params) {
            out.put_field(name, "Key", &self.key);
            out.put_field(name, "Value", &self.values);
        }
    }

    #[test]
    fn lists_of_structs_flatten_one_based() {
        let filters = vec![
            Filter { key: "Status".into(), values: vec!["Enabled".into(), "Confirmed".into()] },
            Filter { key: "Name".into(), values: vec!["a b".into()] },
        ];
        let mut params = Params::new();
        params.put("Filter", &filters);
        let got: Vec<(String, String)> = params.into_vec();
        let want = [
            ("Filter.1.Key", "Status"),
            ("Filter.1.Value.1", "Enabled"),
            ("Filter.1.Value.2", "Confirmed"),
            ("Filter.2.Key", "Name"),
            ("Filter.2.Value.1", "a b"),
        ];
        assert_eq!(got, want.map(|(k, v)| (k.to_owned(), v.to_owned())));
    }

    #[test]
    fn absent_values_send_nothing() {
        let mut params = Params::new();
        params.put("A", &None::<String>);
        params.put("B", &Vec::<String>::new());
        params.put_simple::<String>("C", &[]);
        params.put_json("D", &Vec::<i64>::new());
        assert!(params.is_empty());
    }

    #[test]
    fn simple_and_json_styles() {
        let mut params = Params::new();
        params.put_simple("Ids", &["a".to_owned(), "b".to_owned()]);
        params.put_json("Nums", &vec![1_i64, 2]);
        assert_eq!(params.get("Ids"), Some("a,b"));
        assert_eq!(params.get("Nums"), Some("[1,2]"));
    }
}
