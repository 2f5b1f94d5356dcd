import { roleOf, type DependencyKnowledge } from '../deps/knowledge.js';
import type { Dependency, Ecosystem, SourceLanguage } from '../model/application.js';

/** What the verdict needs to know of the Azure Identity libraries (backed by rules/sdk-floors.yaml). */
export interface SdkKnowledge {
  /** The Azure Identity package of an ecosystem, its workload-identity floor and token-exchange version. */
  identityPackage(ecosystem: Ecosystem): { readonly package: string; readonly floor: string; readonly tokenExchange: string | null } | null;
  /** Is this dependency an Azure Identity package? */
  isAzureIdentity(dependency: Dependency): boolean;
  /** Is this dependency aad-pod-identity's own API (code that creates its objects at run time)? */
  isPodIdentityApi?(dependency: Dependency): boolean;
}

/** The ecosystem whose Azure Identity package a source language uses. */
export function ecosystemOf(language: SourceLanguage): Ecosystem | null {
  switch (language) {
    case 'javascript':
    case 'typescript':
      return 'npm';
    case 'python':
      return 'pypi';
    case 'csharp':
      return 'nuget';
    case 'java':
      return 'maven';
    case 'go':
      return 'go';
    case 'cpp':
      return 'vcpkg';
    default:
      return null;
  }
}

/** The plan's view of the dependency rules (rules/sdk-floors.yaml and identity-libraries.yaml). */
export function sdkKnowledge(knowledge: DependencyKnowledge): SdkKnowledge {
  return {
    identityPackage(ecosystem) {
      const floor = knowledge.floors.find((row) => row.ecosystem === ecosystem);
      return floor ? { package: floor.package, floor: floor.workloadIdentityCredential, tokenExchange: floor.managedIdentityTokenExchange } : null;
    },
    isAzureIdentity(dependency) {
      return roleOf(knowledge, dependency.ecosystem, dependency.name).kind === 'azure-identity';
    },
    isPodIdentityApi(dependency) {
      return roleOf(knowledge, dependency.ecosystem, dependency.name).kind === 'pod-identity-api';
    },
  };
}
