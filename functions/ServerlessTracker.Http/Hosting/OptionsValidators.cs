using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Listener;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Scrape;

namespace ServerlessTracker.Http.Hosting;

// The options' attribute rules ([Range], [Required], IValidatableObject), checked by code the options source generator
// writes at compile time: reflection-based DataAnnotations validation is not available to a Native AOT binary.

[OptionsValidator]
internal sealed partial class FullScrapeBlobOptionsValidator : IValidateOptions<FullScrapeBlobOptions>;

[OptionsValidator]
internal sealed partial class HttpTrackerOptionsValidator : IValidateOptions<HttpTrackerOptions>;

[OptionsValidator]
internal sealed partial class MetricsOptionsValidator : IValidateOptions<MetricsOptions>;

[OptionsValidator]
internal sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;

[OptionsValidator]
internal sealed partial class StatsOptionsValidator : IValidateOptions<StatsOptions>;

[OptionsValidator]
internal sealed partial class TrackerListenerOptionsValidator : IValidateOptions<TrackerListenerOptions>;
