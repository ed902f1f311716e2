// Exposes the resolved versions of aws-config and aws-sdk-s3 (from Cargo.lock) to the program.
fn main() {
    let lock = std::fs::read_to_string("Cargo.lock").expect("Cargo.lock");
    for (krate, var) in [("aws-config", "AWS_CONFIG_VERSION"), ("aws-sdk-s3", "AWS_SDK_S3_VERSION")] {
        let needle = format!("name = \"{krate}\"\nversion = \"");
        let version = lock
            .split(&needle)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("unknown");
        println!("cargo:rustc-env={var}={version}");
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
}
