//! aws-config's default credential chain as an application uses it, with aws-sdk-s3 pointed at the
//! test's recorder. The chain reaches the ECS (container) provider from
//! AWS_CONTAINER_CREDENTIALS_FULL_URI. Two S3 calls, so the client's identity cache is asked twice;
//! the test counts how often the sidecar was called. Prints one JSON object and never a secret.
//!
//! The only change from `aws_config::load_defaults`: a plain-HTTP client (no TLS stack is
//! compiled in, to keep the build small), which the credential providers and S3 share.

use std::error::Error;
use std::process::ExitCode;

use aws_config::BehaviorVersion;
use aws_sdk_s3::config::Region;

fn env(name: &str) -> Result<String, Box<dyn Error>> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

async fn run() -> Result<String, Box<dyn Error>> {
    let bucket = env("S3_BUCKET")?;
    let key = env("S3_KEY")?;
    let recorder = env("RECORDER_URL")?;
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .load()
        .await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .endpoint_url(recorder)
            .force_path_style(true)
            .build(),
    );
    let head = s3.head_object().bucket(&bucket).key(&key).send().await?;
    let object = s3.get_object().bucket(&bucket).key(&key).send().await?;
    let body = object.body.collect().await?.into_bytes();
    Ok(format!(
        "{{\"sdk\":{},\"contentLength\":{},\"body\":{}}}",
        quote(&format!("aws-config {} / aws-sdk-s3 {}", env!("AWS_CONFIG_VERSION"), env!("AWS_SDK_S3_VERSION"))),
        head.content_length().unwrap_or(-1),
        quote(&String::from_utf8_lossy(&body)),
    ))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            // The client's own error, with its source chain (DisplayErrorContext-style).
            let mut message = err.to_string();
            let mut source = err.source();
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            println!("{{\"error\":{},\"message\":{}}}", quote(&format!("{err:?}").split(['(', ' ', '{']).next().unwrap_or("")), quote(&message));
            ExitCode::from(3)
        }
    }
}
