using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerlessTracker.Hosting.Settings;

/// <summary>Registers the sections a host binds, and the check that refuses keys none of them reads.</summary>
public static class SettingsServiceCollectionExtensions
{
    /// <summary>Declares that <typeparamref name="TOptions"/> reads <paramref name="path"/> (bind it as usual).</summary>
    public static IServiceCollection AddSettingsSection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(this IServiceCollection services, string path)
    {
        services.AddSingleton(new SettingsSection(path, typeof(TOptions)));
        if (!services.Any(d => d.ImplementationType == typeof(UnknownSettingsCheck)))
        {
            // First among the hosted services: a typo stops the start before anything listens.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, UnknownSettingsCheck>());
        }

        return services;
    }
}
