using Microsoft.Extensions.Options;

namespace ServerlessTracker.UdpRelay.Hosting;

// The options' attribute rules ([Range], [Required], IValidatableObject), checked by code the options source generator
// writes at compile time: reflection-based DataAnnotations validation is not available to a Native AOT binary.

[OptionsValidator]
internal sealed partial class RelayHealthOptionsValidator : IValidateOptions<RelayHealthOptions>;

[OptionsValidator]
internal sealed partial class RelayOptionsValidator : IValidateOptions<RelayOptions>;

[OptionsValidator]
internal sealed partial class RelayRateLimitOptionsValidator : IValidateOptions<RelayRateLimitOptions>;
