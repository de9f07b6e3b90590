using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Hosting.Purging;

namespace ServerlessTracker.Hosting;

// The options' attribute rules ([Range], [Required], IValidatableObject), checked by code the options source generator
// writes at compile time: reflection-based DataAnnotations validation is not available to a Native AOT binary.

[OptionsValidator]
internal sealed partial class PurgeOptionsValidator : IValidateOptions<PurgeOptions>;

[OptionsValidator]
internal sealed partial class SwarmCreationSettingsValidator : IValidateOptions<SwarmCreationSettings>;

[OptionsValidator]
internal sealed partial class SwarmListingSettingsValidator : IValidateOptions<SwarmListingSettings>;

[OptionsValidator]
internal sealed partial class SwarmSettingsValidator : IValidateOptions<SwarmSettings>;
